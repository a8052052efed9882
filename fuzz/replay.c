/* Replays a libFuzzer corpus through a harness without libFuzzer, so every
 * ordinary build (gcc, ASan) runs the seeds as a ctest: replay DIR|FILE... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        (void)fprintf(stderr, "replay: cannot read %s\n", path);
        if (f != NULL) {
            (void)fclose(f);
        }
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        (void)fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        (void)fclose(f);
        return 1;
    }
    (void)fclose(f);
    (void)LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int run_path(const char *path, size_t *count)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    int rc = 0;

    if (stat(path, &st) != 0) {
        (void)fprintf(stderr, "replay: no such path %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    d = opendir(path);
    if (d == NULL) {
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char child[4096];

        if (de->d_name[0] == '.') {
            continue;
        }
        (void)snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
        rc |= run_path(child, count);
    }
    (void)closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        rc |= run_path(argv[i], &count);
    }
    printf("replayed %zu inputs\n", count);
    return rc != 0 || count == 0;
}
