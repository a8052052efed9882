/* STIX 2.1 object model: the const type table (name, kind, per-type property
 * schema), the vocabularies, the common-property readers and the deterministic
 * SCO id (section 2.9). Entry points: mk_stix_type_from_name(), mk_stix_type_info(). */
#include <string.h>

#include "stix/validate_int.h"

/* 00abedb4-aa42-466c-9c01-fed23315a9b7, section 2.9 */
const uint8_t mk_stix_sco_namespace[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                           0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};

/* ---- property schema ------------------------------------------------------- */

#define P(n, k)                                                                                    \
    {                                                                                              \
        .name = (n), .len = sizeof(n) - 1, .kind = MK_STIX_P_##k                                   \
    }
#define PX(n, k, ...)                                                                              \
    {                                                                                              \
        .name = (n), .len = sizeof(n) - 1, .kind = MK_STIX_P_##k, __VA_ARGS__                      \
    }
#define REQ          .flags = MK_STIX_PF_REQUIRED
#define VOC(v)       .aux = MK_STIX_OV_##v
#define ENUM(v)      .aux = MK_STIX_ENUM_##v
#define RANGE(r)     .aux = MK_STIX_R_##r
#define FRANGE(r)    .aux = MK_STIX_F_##r
#define TO(mask)     .refs = (mask)
#define B(t)         MK_STIX_BIT(MK_STIX_##t)
#define CUSTOM_TYPES MK_STIX_BIT(MK_STIX_TYPE_UNKNOWN)

#define NAME_REQ    PX("name", STRING, REQ)
#define DESCRIPTION P("description", STRING)
#define ALIASES     P("aliases", STRINGS)
#define KCP         P("kill_chain_phases", KCP)
#define FIRST_SEEN  P("first_seen", TIME)
#define LAST_SEEN   P("last_seen", TIME)
#define ANY_REFS    PX("object_refs", IDS, REQ)
#define SEEN        FIRST_SEEN, LAST_SEEN

static const struct mk_stix_prop attack_pattern[] = {NAME_REQ, DESCRIPTION, ALIASES, KCP};

static const struct mk_stix_prop campaign[] = {NAME_REQ, DESCRIPTION, ALIASES, SEEN,
                                               P("objective", STRING)};

static const struct mk_stix_prop course_of_action[] = {NAME_REQ, DESCRIPTION};

static const struct mk_stix_prop grouping[] = {
    P("name", STRING), DESCRIPTION, PX("context", OV, REQ, VOC(GROUPING_CONTEXT)), ANY_REFS};

static const struct mk_stix_prop identity[] = {
    NAME_REQ,
    DESCRIPTION,
    P("roles", STRINGS),
    PX("identity_class", OV, VOC(IDENTITY_CLASS)),
    PX("sectors", OVS, VOC(INDUSTRY_SECTOR)),
    P("contact_information", STRING),
};

static const struct mk_stix_prop incident[] = {NAME_REQ, DESCRIPTION, KCP};

static const struct mk_stix_prop indicator[] = {
    P("name", STRING),
    DESCRIPTION,
    PX("indicator_types", OVS, VOC(INDICATOR_TYPE)),
    PX("pattern", STRING, REQ),
    PX("pattern_type", OV, REQ, VOC(PATTERN_TYPE)),
    P("pattern_version", STRING),
    PX("valid_from", TIME, REQ),
    P("valid_until", TIME),
    KCP,
};

static const struct mk_stix_prop infrastructure[] = {
    NAME_REQ, DESCRIPTION, PX("infrastructure_types", OVS, VOC(INFRASTRUCTURE_TYPE)),
    ALIASES,  KCP,         SEEN,
};

#define MOTIVATIONS                                                                                \
    PX("resource_level", OV, VOC(ATTACK_RESOURCE_LEVEL)),                                          \
        PX("primary_motivation", OV, VOC(ATTACK_MOTIVATION)),                                      \
        PX("secondary_motivations", OVS, VOC(ATTACK_MOTIVATION))

static const struct mk_stix_prop intrusion_set[] = {
    NAME_REQ, DESCRIPTION, ALIASES, SEEN, P("goals", STRINGS), MOTIVATIONS,
};

static const struct mk_stix_prop location[] = {
    P("name", STRING),
    DESCRIPTION,
    PX("latitude", FLOAT, FRANGE(LATITUDE)),
    PX("longitude", FLOAT, FRANGE(LONGITUDE)),
    PX("precision", FLOAT, FRANGE(NONNEG)),
    PX("region", OV, VOC(REGION)),
    P("country", STRING),
    P("administrative_area", STRING),
    P("city", STRING),
    P("street_address", STRING),
    P("postal_code", STRING),
};

static const struct mk_stix_prop malware[] = {
    P("name", STRING),
    DESCRIPTION,
    PX("malware_types", OVS, VOC(MALWARE_TYPE)),
    PX("is_family", BOOL, REQ),
    ALIASES,
    KCP,
    SEEN,
    PX("operating_system_refs", IDS, TO(B(SOFTWARE))),
    PX("architecture_execution_envs", OVS, VOC(PROCESSOR_ARCHITECTURE)),
    PX("implementation_languages", OVS, VOC(IMPLEMENTATION_LANGUAGE)),
    PX("capabilities", OVS, VOC(MALWARE_CAPABILITIES)),
    PX("sample_refs", IDS, TO(B(FILE) | B(ARTIFACT))),
};

static const struct mk_stix_prop malware_analysis[] = {
    PX("product", STRING, REQ),
    P("version", STRING),
    PX("host_vm_ref", ID, TO(B(SOFTWARE))),
    PX("operating_system_ref", ID, TO(B(SOFTWARE))),
    PX("installed_software_refs", IDS, TO(B(SOFTWARE))),
    P("configuration_version", STRING),
    P("modules", STRINGS),
    P("analysis_engine_version", STRING),
    P("analysis_definition_version", STRING),
    P("submitted", TIME),
    P("analysis_started", TIME),
    P("analysis_ended", TIME),
    P("result_name", STRING),
    PX("result", OV, VOC(MALWARE_RESULT)),
    PX("analysis_sco_refs", IDS, TO(MK_STIX_REFS_SCO | CUSTOM_TYPES)),
    PX("sample_ref", ID, TO(B(FILE) | B(ARTIFACT) | B(NETWORK_TRAFFIC))),
};

static const struct mk_stix_prop note[] = {P("abstract", STRING), PX("content", STRING, REQ),
                                           P("authors", STRINGS), ANY_REFS};

static const struct mk_stix_prop observed_data[] = {
    PX("first_observed", TIME, REQ),
    PX("last_observed", TIME, REQ),
    PX("number_observed", INT, REQ, RANGE(NUMBER_OBSERVED)),
    P("objects", DICT),
    PX("object_refs", IDS, TO(MK_STIX_REFS_SCO | B(RELATIONSHIP) | CUSTOM_TYPES)),
};

static const struct mk_stix_prop opinion[] = {P("explanation", STRING), P("authors", STRINGS),
                                              PX("opinion", ENUM, REQ, ENUM(OPINION)), ANY_REFS};

static const struct mk_stix_prop report[] = {NAME_REQ, DESCRIPTION,
                                             PX("report_types", OVS, VOC(REPORT_TYPE)),
                                             PX("published", TIME, REQ), ANY_REFS};

static const struct mk_stix_prop threat_actor[] = {
    NAME_REQ,
    DESCRIPTION,
    PX("threat_actor_types", OVS, VOC(THREAT_ACTOR_TYPE)),
    ALIASES,
    SEEN,
    PX("roles", OVS, VOC(THREAT_ACTOR_ROLE)),
    P("goals", STRINGS),
    PX("sophistication", OV, VOC(THREAT_ACTOR_SOPHISTICATION)),
    MOTIVATIONS,
    PX("personal_motivations", OVS, VOC(ATTACK_MOTIVATION)),
};

static const struct mk_stix_prop tool[] = {
    NAME_REQ, DESCRIPTION, PX("tool_types", OVS, VOC(TOOL_TYPE)),
    ALIASES,  KCP,         P("tool_version", STRING)};

static const struct mk_stix_prop vulnerability[] = {NAME_REQ, DESCRIPTION};

#define RELATABLE (MK_STIX_REFS_SDO | MK_STIX_REFS_SCO | CUSTOM_TYPES)

static const struct mk_stix_prop relationship[] = {
    PX("relationship_type", STRING, REQ),
    DESCRIPTION,
    PX("source_ref", ID, REQ, TO(RELATABLE)),
    PX("target_ref", ID, REQ, TO(RELATABLE)),
    P("start_time", TIME),
    P("stop_time", TIME),
};

static const struct mk_stix_prop sighting[] = {
    DESCRIPTION,
    SEEN,
    PX("count", INT, RANGE(COUNT)),
    PX("sighting_of_ref", ID, REQ, TO(MK_STIX_REFS_SDO | CUSTOM_TYPES)),
    PX("observed_data_refs", IDS, TO(B(OBSERVED_DATA))),
    PX("where_sighted_refs", IDS, TO(B(IDENTITY) | B(LOCATION))),
    P("summary", BOOL),
};

/* Cyber-observable objects (section 6). */

static const struct mk_stix_prop artifact[] = {
    P("mime_type", STRING),
    P("payload_bin", BINARY),
    P("url", STRING),
    P("hashes", HASHES),
    PX("encryption_algorithm", ENUM, ENUM(ENCRYPTION_ALGORITHM)),
    P("decryption_key", STRING),
};

static const struct mk_stix_prop autonomous_system[] = {PX("number", INT, REQ, RANGE(ASN)),
                                                        P("name", STRING), P("rir", STRING)};

#define FILE_TIMES P("ctime", TIME), P("mtime", TIME), P("atime", TIME)

static const struct mk_stix_prop directory[] = {
    PX("path", STRING, REQ), P("path_enc", STRING), FILE_TIMES,
    PX("contains_refs", IDS, TO(B(FILE) | B(DIRECTORY)))};

#define VALUE_REQ PX("value", STRING, REQ)

static const struct mk_stix_prop domain_name[] = {
    VALUE_REQ, PX("resolves_to_refs", IDS, TO(B(IPV4_ADDR) | B(IPV6_ADDR) | B(DOMAIN_NAME)))};

static const struct mk_stix_prop email_addr[] = {VALUE_REQ, P("display_name", STRING),
                                                 PX("belongs_to_ref", ID, TO(B(USER_ACCOUNT)))};

static const struct mk_stix_prop email_message[] = {
    PX("is_multipart", BOOL, REQ),
    P("date", TIME),
    P("content_type", STRING),
    PX("from_ref", ID, TO(B(EMAIL_ADDR))),
    PX("sender_ref", ID, TO(B(EMAIL_ADDR))),
    PX("to_refs", IDS, TO(B(EMAIL_ADDR))),
    PX("cc_refs", IDS, TO(B(EMAIL_ADDR))),
    PX("bcc_refs", IDS, TO(B(EMAIL_ADDR))),
    P("message_id", STRING),
    P("subject", STRING),
    P("received_lines", STRINGS),
    P("additional_header_fields", DICT),
    P("body", STRING),
    P("body_multipart", LIST),
    PX("raw_email_ref", ID, TO(B(ARTIFACT))),
};

static const struct mk_stix_prop file[] = {
    P("hashes", HASHES),
    PX("size", INT, RANGE(NONNEG)),
    P("name", STRING),
    P("name_enc", STRING),
    P("magic_number_hex", HEX),
    P("mime_type", STRING),
    FILE_TIMES,
    PX("parent_directory_ref", ID, TO(B(DIRECTORY))),
    PX("contains_refs", IDS, TO(MK_STIX_REFS_SCO | CUSTOM_TYPES)),
    PX("content_ref", ID, TO(B(ARTIFACT))),
};

static const struct mk_stix_prop ip_addr[] = {VALUE_REQ,
                                              PX("resolves_to_refs", IDS, TO(B(MAC_ADDR))),
                                              PX("belongs_to_refs", IDS, TO(B(AUTONOMOUS_SYSTEM)))};

static const struct mk_stix_prop value_only[] = {VALUE_REQ};

static const struct mk_stix_prop mutex[] = {NAME_REQ};

#define ENDPOINT TO(B(IPV4_ADDR) | B(IPV6_ADDR) | B(MAC_ADDR) | B(DOMAIN_NAME))

static const struct mk_stix_prop network_traffic[] = {
    P("start", TIME),
    P("end", TIME),
    P("is_active", BOOL),
    PX("src_ref", ID, ENDPOINT),
    PX("dst_ref", ID, ENDPOINT),
    PX("src_port", INT, RANGE(PORT)),
    PX("dst_port", INT, RANGE(PORT)),
    PX("protocols", STRINGS, REQ),
    PX("src_byte_count", INT, RANGE(NONNEG)),
    PX("dst_byte_count", INT, RANGE(NONNEG)),
    PX("src_packets", INT, RANGE(NONNEG)),
    PX("dst_packets", INT, RANGE(NONNEG)),
    P("ipfix", DICT),
    PX("src_payload_ref", ID, TO(B(ARTIFACT))),
    PX("dst_payload_ref", ID, TO(B(ARTIFACT))),
    PX("encapsulates_refs", IDS, TO(B(NETWORK_TRAFFIC))),
    PX("encapsulated_by_ref", ID, TO(B(NETWORK_TRAFFIC))),
};

static const struct mk_stix_prop process[] = {
    P("is_hidden", BOOL),
    P("pid", INT),
    P("created_time", TIME),
    P("cwd", STRING),
    P("command_line", STRING),
    P("environment_variables", DICT),
    PX("opened_connection_refs", IDS, TO(B(NETWORK_TRAFFIC))),
    PX("creator_user_ref", ID, TO(B(USER_ACCOUNT))),
    PX("image_ref", ID, TO(B(FILE))),
    PX("parent_ref", ID, TO(B(PROCESS))),
    PX("child_refs", IDS, TO(B(PROCESS))),
};

static const struct mk_stix_prop software[] = {NAME_REQ,
                                               P("cpe", STRING),
                                               P("swid", STRING),
                                               P("languages", STRINGS),
                                               P("vendor", STRING),
                                               P("version", STRING)};

static const struct mk_stix_prop user_account[] = {
    P("user_id", STRING),           P("credential", STRING),
    P("account_login", STRING),     PX("account_type", OV, VOC(ACCOUNT_TYPE)),
    P("display_name", STRING),      P("is_service_account", BOOL),
    P("is_privileged", BOOL),       P("can_escalate_privs", BOOL),
    P("is_disabled", BOOL),         P("account_created", TIME),
    P("account_expires", TIME),     P("credential_last_changed", TIME),
    P("account_first_login", TIME), P("account_last_login", TIME),
};

static const struct mk_stix_prop windows_registry_key[] = {
    P("key", STRING),
    P("values", LIST),
    P("modified_time", TIME),
    PX("creator_user_ref", ID, TO(B(USER_ACCOUNT))),
    PX("number_of_subkeys", INT, RANGE(NONNEG)),
};

static const struct mk_stix_prop x509_certificate[] = {
    P("is_self_signed", BOOL),
    P("hashes", HASHES),
    P("version", STRING),
    P("serial_number", STRING),
    P("signature_algorithm", STRING),
    P("issuer", STRING),
    P("validity_not_before", TIME),
    P("validity_not_after", TIME),
    P("subject", STRING),
    P("subject_public_key_algorithm", STRING),
    P("subject_public_key_modulus", STRING),
    PX("subject_public_key_exponent", INT, RANGE(NONNEG)),
    P("x509_v3_extensions", DICT),
};

/* Meta objects (section 7) and the bundle (section 8). */

static const struct mk_stix_prop marking_definition[] = {
    P("name", STRING), P("definition_type", STRING), P("definition", DICT)};

static const struct mk_stix_prop language_content[] = {
    PX("object_ref", ID, REQ), P("object_modified", TIME), PX("contents", DICT, REQ)};

static const struct mk_stix_prop extension_definition[] = {
    NAME_REQ,
    DESCRIPTION,
    PX("schema", STRING, REQ),
    PX("version", STRING, REQ),
    PX("extension_types", ENUMS, REQ, ENUM(EXTENSION_TYPE)),
    P("extension_properties", STRINGS),
};

static const struct mk_stix_prop bundle[] = {PX("objects", LIST, REQ)};

/* ---- the type table -------------------------------------------------------- */

#define T(n, k, prof, tbl)                                                                         \
    {                                                                                              \
        .name = (n), .len = sizeof(n) - 1, .kind = MK_STIX_KIND_##k,                               \
        .profile = MK_STIX_PROFILE_##prof, .n_props = MK_ARRAY_LEN(tbl), .props = (tbl)            \
    }
#define SDO_TYPE(n, tbl) T(n, SDO, SDO, tbl)
#define SCO_TYPE(n, tbl) T(n, SCO, SCO, tbl)

static const struct mk_stix_type_info types[MK_STIX_TYPE_COUNT] = {
    [MK_STIX_TYPE_UNKNOWN] = {.name = "",
                              .kind = MK_STIX_KIND_CUSTOM,
                              .profile = MK_STIX_PROFILE_CUSTOM},
    [MK_STIX_ATTACK_PATTERN] = SDO_TYPE("attack-pattern", attack_pattern),
    [MK_STIX_CAMPAIGN] = SDO_TYPE("campaign", campaign),
    [MK_STIX_COURSE_OF_ACTION] = SDO_TYPE("course-of-action", course_of_action),
    [MK_STIX_GROUPING] = SDO_TYPE("grouping", grouping),
    [MK_STIX_IDENTITY] = SDO_TYPE("identity", identity),
    [MK_STIX_INCIDENT] = SDO_TYPE("incident", incident),
    [MK_STIX_INDICATOR] = SDO_TYPE("indicator", indicator),
    [MK_STIX_INFRASTRUCTURE] = SDO_TYPE("infrastructure", infrastructure),
    [MK_STIX_INTRUSION_SET] = SDO_TYPE("intrusion-set", intrusion_set),
    [MK_STIX_LOCATION] = SDO_TYPE("location", location),
    [MK_STIX_MALWARE] = SDO_TYPE("malware", malware),
    [MK_STIX_MALWARE_ANALYSIS] = SDO_TYPE("malware-analysis", malware_analysis),
    [MK_STIX_NOTE] = SDO_TYPE("note", note),
    [MK_STIX_OBSERVED_DATA] = SDO_TYPE("observed-data", observed_data),
    [MK_STIX_OPINION] = SDO_TYPE("opinion", opinion),
    [MK_STIX_REPORT] = SDO_TYPE("report", report),
    [MK_STIX_THREAT_ACTOR] = SDO_TYPE("threat-actor", threat_actor),
    [MK_STIX_TOOL] = SDO_TYPE("tool", tool),
    [MK_STIX_VULNERABILITY] = SDO_TYPE("vulnerability", vulnerability),
    [MK_STIX_RELATIONSHIP] = T("relationship", SRO, SDO, relationship),
    [MK_STIX_SIGHTING] = T("sighting", SRO, SDO, sighting),
    [MK_STIX_ARTIFACT] = SCO_TYPE("artifact", artifact),
    [MK_STIX_AUTONOMOUS_SYSTEM] = SCO_TYPE("autonomous-system", autonomous_system),
    [MK_STIX_DIRECTORY] = SCO_TYPE("directory", directory),
    [MK_STIX_DOMAIN_NAME] = SCO_TYPE("domain-name", domain_name),
    [MK_STIX_EMAIL_ADDR] = SCO_TYPE("email-addr", email_addr),
    [MK_STIX_EMAIL_MESSAGE] = SCO_TYPE("email-message", email_message),
    [MK_STIX_FILE] = SCO_TYPE("file", file),
    [MK_STIX_IPV4_ADDR] = SCO_TYPE("ipv4-addr", ip_addr),
    [MK_STIX_IPV6_ADDR] = SCO_TYPE("ipv6-addr", ip_addr),
    [MK_STIX_MAC_ADDR] = SCO_TYPE("mac-addr", value_only),
    [MK_STIX_MUTEX] = SCO_TYPE("mutex", mutex),
    [MK_STIX_NETWORK_TRAFFIC] = SCO_TYPE("network-traffic", network_traffic),
    [MK_STIX_PROCESS] = SCO_TYPE("process", process),
    [MK_STIX_SOFTWARE] = SCO_TYPE("software", software),
    [MK_STIX_URL] = SCO_TYPE("url", value_only),
    [MK_STIX_USER_ACCOUNT] = SCO_TYPE("user-account", user_account),
    [MK_STIX_WINDOWS_REGISTRY_KEY] = SCO_TYPE("windows-registry-key", windows_registry_key),
    [MK_STIX_X509_CERTIFICATE] = SCO_TYPE("x509-certificate", x509_certificate),
    [MK_STIX_EXTENSION_DEFINITION] = T("extension-definition", META, EXTDEF, extension_definition),
    [MK_STIX_LANGUAGE_CONTENT] = T("language-content", META, SDO, language_content),
    [MK_STIX_MARKING_DEFINITION] = T("marking-definition", META, MARKING, marking_definition),
    [MK_STIX_BUNDLE] = T("bundle", BUNDLE, BUNDLE, bundle),
};

/* Common properties (section 3.2) with the profiles that define and require
 * them. Custom types get every optional common property checked when present. */
#define PROF(p)     (1u << MK_STIX_PROFILE_##p)
#define ALL_OBJECTS (PROF(SDO) | PROF(SCO) | PROF(MARKING) | PROF(EXTDEF) | PROF(CUSTOM))
#define VERSIONED   (PROF(SDO) | PROF(EXTDEF) | PROF(CUSTOM))
#define NOT_SCO     (VERSIONED | PROF(MARKING))

static const struct mk_stix_common_prop common[] = {
    {P("type", TYPE), ALL_OBJECTS | PROF(BUNDLE), ALL_OBJECTS | PROF(BUNDLE)},
    {P("id", SELF_ID), ALL_OBJECTS | PROF(BUNDLE), ALL_OBJECTS | PROF(BUNDLE)},
    {P("spec_version", SPEC), ALL_OBJECTS, PROF(SDO) | PROF(MARKING) | PROF(EXTDEF)},
    {P("created", TIME), NOT_SCO, PROF(SDO) | PROF(MARKING) | PROF(EXTDEF)},
    {P("modified", TIME), VERSIONED, PROF(SDO) | PROF(EXTDEF)},
    {PX("created_by_ref", ID, TO(B(IDENTITY))), NOT_SCO, PROF(EXTDEF)},
    {P("revoked", BOOL), VERSIONED, 0},
    {P("labels", STRINGS), VERSIONED, 0},
    {PX("confidence", INT, RANGE(CONFIDENCE)), PROF(SDO) | PROF(CUSTOM), 0},
    {P("lang", LANG), PROF(SDO) | PROF(CUSTOM), 0},
    {P("external_references", EXTREFS), NOT_SCO, 0},
    {PX("object_marking_refs", IDS, TO(B(MARKING_DEFINITION))), ALL_OBJECTS, 0},
    {P("granular_markings", GRANULAR), ALL_OBJECTS, 0},
    {P("extensions", EXTS), PROF(SDO) | PROF(SCO) | PROF(MARKING) | PROF(CUSTOM), 0},
    {P("defanged", BOOL), PROF(SCO) | PROF(CUSTOM), 0},
};

const struct mk_stix_type_info *mk_stix_type_info(enum mk_stix_type t)
{
    if ((unsigned)t >= MK_STIX_TYPE_COUNT) {
        t = MK_STIX_TYPE_UNKNOWN;
    }
    return &types[t];
}

const struct mk_stix_common_prop *mk_stix_common_props(size_t *n)
{
    *n = MK_ARRAY_LEN(common);
    return common;
}

enum mk_stix_type mk_stix_type_from_name(const char *name, size_t n)
{
    /* 43 names; comparing the length and first byte before memcmp keeps this
     * to a handful of byte compares per object. */
    for (size_t t = 1; t < MK_STIX_TYPE_COUNT; t++) {
        const struct mk_stix_type_info *ti = &types[t];

        if (ti->len == n && ti->name[0] == name[0] && memcmp(ti->name, name, n) == 0) {
            return (enum mk_stix_type)t;
        }
    }
    return MK_STIX_TYPE_UNKNOWN;
}

const char *mk_stix_type_name(enum mk_stix_type t)
{
    if (t <= MK_STIX_TYPE_UNKNOWN || t >= MK_STIX_TYPE_COUNT) {
        return NULL;
    }
    return types[t].name;
}

enum mk_stix_kind mk_stix_type_kind(enum mk_stix_type t)
{
    return (enum mk_stix_kind)mk_stix_type_info(t)->kind;
}

/* ---- vocabularies (section 10) and enumerations ----------------------------- */

#define V(name, ...) static const char *const name[] = {__VA_ARGS__};

V(ov_motivation, "accidental", "coercion", "dominance", "ideology", "notoriety",
  "organizational-gain", "personal-gain", "personal-satisfaction", "revenge", "unpredictable")
V(ov_resource_level, "individual", "club", "contest", "team", "organization", "government")
V(ov_grouping_context, "suspicious-activity", "malware-analysis", "unspecified")
V(ov_identity_class, "individual", "group", "system", "organization", "class", "unknown")
V(ov_impl_language, "applescript", "bash", "c", "c++", "c#", "go", "java", "javascript", "lua",
  "objective-c", "perl", "php", "powershell", "python", "ruby", "scala", "swift", "typescript",
  "visual-basic", "x86-32", "x86-64")
V(ov_indicator_type, "anomalous-activity", "anonymization", "benign", "compromised",
  "malicious-activity", "attribution", "unknown")
V(ov_industry_sector, "agriculture", "aerospace", "automotive", "chemical", "commercial",
  "communications", "construction", "defense", "education", "energy", "entertainment",
  "financial-services", "government", "government-emergency-services", "government-local",
  "government-national", "government-public-services", "government-regional", "healthcare",
  "hospitality-leisure", "infrastructure", "infrastructure-dams", "infrastructure-nuclear",
  "infrastructure-water", "insurance", "manufacturing", "mining", "non-profit", "pharmaceuticals",
  "retail", "technology", "telecommunications", "transportation", "utilities")
V(ov_infrastructure_type, "amplification", "anonymization", "botnet", "command-and-control",
  "control-system", "exfiltration", "firewall", "hosting-malware", "hosting-target-lists",
  "phishing", "reconnaissance", "routers-switches", "staging", "workstation", "unknown")
V(ov_malware_result, "malicious", "suspicious", "benign", "unknown")
V(ov_malware_capabilities, "accesses-remote-machines", "anti-debugging", "anti-disassembly",
  "anti-emulation", "anti-memory-forensics", "anti-sandbox", "anti-vm",
  "captures-input-peripherals", "captures-output-peripherals", "captures-system-state-data",
  "cleans-traces-of-infection", "commits-fraud", "communicates-with-c2",
  "compromises-data-availability", "compromises-data-integrity", "compromises-system-availability",
  "controls-local-machine", "degrades-security-software", "degrades-system-updates",
  "determines-c2-server", "emails-spam", "escalates-privileges", "evades-av", "exfiltrates-data",
  "fingerprints-host", "hides-artifacts", "hides-executing-code", "infects-files",
  "infects-remote-machines", "installs-other-components", "persists-after-system-reboot",
  "prevents-artifact-access", "prevents-artifact-deletion", "probes-network-environment",
  "self-modifies", "steals-authentication-credentials", "violates-system-operational-integrity")
V(ov_malware_type, "adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper",
  "exploit-kit", "keylogger", "ransomware", "remote-access-trojan", "resource-exploitation",
  "rogue-security-software", "rootkit", "screen-capture", "spyware", "trojan", "unknown", "virus",
  "webshell", "wiper", "worm")
V(ov_pattern_type, "stix", "pcre", "sigma", "snort", "suricata", "yara")
V(ov_processor_arch, "alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64")
V(ov_region, "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa",
  "western-africa", "americas", "caribbean", "central-america", "latin-america-caribbean",
  "northern-america", "south-america", "asia", "central-asia", "eastern-asia", "southern-asia",
  "south-eastern-asia", "western-asia", "europe", "eastern-europe", "northern-europe",
  "southern-europe", "western-europe", "antarctica", "oceania", "australia-new-zealand",
  "melanesia", "micronesia", "polynesia")
V(ov_report_type, "attack-pattern", "campaign", "identity", "indicator", "intrusion-set", "malware",
  "observed-data", "threat-actor", "threat-report", "tool", "vulnerability")
V(ov_threat_actor_type, "activist", "competitor", "crime-syndicate", "criminal", "hacker",
  "insider-accidental", "insider-disgruntled", "nation-state", "sensationalist", "spy", "terrorist",
  "unknown")
V(ov_threat_actor_role, "agent", "director", "independent", "infrastructure-architect",
  "infrastructure-operator", "malware-author", "sponsor")
V(ov_sophistication, "none", "minimal", "intermediate", "advanced", "expert", "innovator",
  "strategic")
V(ov_tool_type, "denial-of-service", "exploitation", "information-gathering", "network-capture",
  "credential-exploitation", "remote-access", "vulnerability-scanning", "unknown")
V(ov_hash_algo, "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH")
V(ov_account_type, "facebook", "ldap", "nis", "openid", "radius", "skype", "tacacs", "twitter",
  "unix", "windows-local", "windows-domain")
V(enum_opinion, "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")
V(enum_extension_type, "new-sdo", "new-sco", "new-sro", "property-extension",
  "toplevel-property-extension")
V(enum_encryption, "AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated")
V(enum_tlp1, "white", "green", "amber", "red")
V(enum_tlp2, "clear", "green", "amber", "amber+strict", "red")

#define VOCAB(id, n, tbl) [id] = {.name = (n), .terms = (tbl), .n_terms = MK_ARRAY_LEN(tbl)}

const struct mk_stix_vocab mk_stix_vocabs[MK_STIX_VOCAB_COUNT] = {
    VOCAB(MK_STIX_OV_ATTACK_MOTIVATION, "attack-motivation-ov", ov_motivation),
    VOCAB(MK_STIX_OV_ATTACK_RESOURCE_LEVEL, "attack-resource-level-ov", ov_resource_level),
    VOCAB(MK_STIX_OV_GROUPING_CONTEXT, "grouping-context-ov", ov_grouping_context),
    VOCAB(MK_STIX_OV_IDENTITY_CLASS, "identity-class-ov", ov_identity_class),
    VOCAB(MK_STIX_OV_IMPLEMENTATION_LANGUAGE, "implementation-language-ov", ov_impl_language),
    VOCAB(MK_STIX_OV_INDICATOR_TYPE, "indicator-type-ov", ov_indicator_type),
    VOCAB(MK_STIX_OV_INDUSTRY_SECTOR, "industry-sector-ov", ov_industry_sector),
    VOCAB(MK_STIX_OV_INFRASTRUCTURE_TYPE, "infrastructure-type-ov", ov_infrastructure_type),
    VOCAB(MK_STIX_OV_MALWARE_RESULT, "malware-result-ov", ov_malware_result),
    VOCAB(MK_STIX_OV_MALWARE_CAPABILITIES, "malware-capabilities-ov", ov_malware_capabilities),
    VOCAB(MK_STIX_OV_MALWARE_TYPE, "malware-type-ov", ov_malware_type),
    VOCAB(MK_STIX_OV_PATTERN_TYPE, "pattern-type-ov", ov_pattern_type),
    VOCAB(MK_STIX_OV_PROCESSOR_ARCHITECTURE, "processor-architecture-ov", ov_processor_arch),
    VOCAB(MK_STIX_OV_REGION, "region-ov", ov_region),
    VOCAB(MK_STIX_OV_REPORT_TYPE, "report-type-ov", ov_report_type),
    VOCAB(MK_STIX_OV_THREAT_ACTOR_TYPE, "threat-actor-type-ov", ov_threat_actor_type),
    VOCAB(MK_STIX_OV_THREAT_ACTOR_ROLE, "threat-actor-role-ov", ov_threat_actor_role),
    VOCAB(MK_STIX_OV_THREAT_ACTOR_SOPHISTICATION, "threat-actor-sophistication-ov",
          ov_sophistication),
    VOCAB(MK_STIX_OV_TOOL_TYPE, "tool-type-ov", ov_tool_type),
    VOCAB(MK_STIX_OV_HASHING_ALGORITHM, "hashing-algorithm-ov", ov_hash_algo),
    VOCAB(MK_STIX_OV_ACCOUNT_TYPE, "account-type-ov", ov_account_type),
    VOCAB(MK_STIX_ENUM_OPINION, "opinion-enum", enum_opinion),
    VOCAB(MK_STIX_ENUM_EXTENSION_TYPE, "extension-type-enum", enum_extension_type),
    VOCAB(MK_STIX_ENUM_ENCRYPTION_ALGORITHM, "encryption-algorithm-enum", enum_encryption),
    VOCAB(MK_STIX_ENUM_TLP1, "tlp-1.0 level", enum_tlp1),
    VOCAB(MK_STIX_ENUM_TLP2, "tlp-2.0 level", enum_tlp2),
};

const struct mk_stix_int_range mk_stix_int_ranges[] = {
    [MK_STIX_R_ANY] = {INT64_MIN, INT64_MAX}, [MK_STIX_R_NONNEG] = {0, INT64_MAX},
    [MK_STIX_R_CONFIDENCE] = {0, 100},        [MK_STIX_R_NUMBER_OBSERVED] = {1, 999999999},
    [MK_STIX_R_COUNT] = {0, 999999999},       [MK_STIX_R_PORT] = {0, 65535},
    [MK_STIX_R_ASN] = {0, 4294967295},
};

const struct mk_stix_float_range mk_stix_float_ranges[] = {
    [MK_STIX_F_ANY] = {-1e308, 1e308},
    [MK_STIX_F_LATITUDE] = {-90.0, 90.0},
    [MK_STIX_F_LONGITUDE] = {-180.0, 180.0},
    [MK_STIX_F_NONNEG] = {0.0, 1e308},
};

bool mk_stix_vocab_has(enum mk_stix_vocab_id v, const char *s, size_t n)
{
    const struct mk_stix_vocab *voc = &mk_stix_vocabs[v];

    for (size_t i = 0; i < voc->n_terms; i++) {
        if (strlen(voc->terms[i]) == n && memcmp(voc->terms[i], s, n) == 0) {
            return true;
        }
    }
    return false;
}

const struct mk_stix_tlp_id mk_stix_tlp1_ids[4] = {
    {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
    {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
    {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
    {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"},
};

const struct mk_stix_tlp_id mk_stix_tlp2_ids[5] = {
    {"clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
    {"green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
    {"amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
    {"amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
    {"red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
};

/* ---- common-property readers ------------------------------------------------- */

static struct mk_slice str_of(const struct mk_json *v)
{
    if (v == NULL || v->type != MK_JSON_STRING) {
        return (struct mk_slice){NULL, 0};
    }
    return (struct mk_slice){(const uint8_t *)v->u.str, v->len};
}

static bool time_of(const struct mk_json *v, struct mk_time *out)
{
    if (v == NULL || v->type != MK_JSON_STRING) {
        return false;
    }
    return mk_time_parse_rfc3339(v->u.str, v->len, true, out) == MK_OK;
}

static const struct mk_json *array_of(const struct mk_json *v)
{
    return v != NULL && v->type == MK_JSON_ARRAY ? v : NULL;
}

static bool key_is(const struct mk_json_member *m, const char *k)
{
    size_t n = strlen(k);

    return m->key_len == n && memcmp(m->key, k, n) == 0;
}

static void common_member(const struct mk_json_member *m, struct mk_stix_common *out)
{
    const struct mk_json *v = &m->value;
    int64_t conf;

    if (key_is(m, "type")) {
        out->type_name = str_of(v);
    } else if (key_is(m, "id")) {
        out->id = str_of(v);
    } else if (key_is(m, "spec_version")) {
        out->spec_version = str_of(v);
    } else if (key_is(m, "created_by_ref")) {
        out->created_by_ref = str_of(v);
    } else if (key_is(m, "created")) {
        out->has_created = time_of(v, &out->created);
    } else if (key_is(m, "modified")) {
        out->has_modified = time_of(v, &out->modified);
    } else if (key_is(m, "revoked")) {
        out->revoked = v->type == MK_JSON_BOOL && v->boolean;
    } else if (key_is(m, "confidence")) {
        if (mk_json_get_int(v, &conf) && conf >= 0 && conf <= 100) {
            out->confidence = (int)conf;
        }
    } else if (key_is(m, "labels")) {
        out->labels = array_of(v);
    } else if (key_is(m, "object_marking_refs")) {
        out->object_marking_refs = array_of(v);
    } else if (key_is(m, "external_references")) {
        out->external_references = array_of(v);
    }
}

void mk_stix_common_read(const struct mk_json *obj, struct mk_stix_common *out)
{
    memset(out, 0, sizeof(*out));
    out->confidence = -1;
    if (obj == NULL || obj->type != MK_JSON_OBJECT) {
        return;
    }
    for (uint32_t i = 0; i < obj->len; i++) {
        common_member(&obj->u.members[i], out);
    }
    if (out->type_name.ptr != NULL) {
        out->type = mk_stix_type_from_name((const char *)out->type_name.ptr, out->type_name.len);
    }
}

enum mk_status mk_stix_indicator_read(const struct mk_json *obj, struct mk_stix_indicator *out)
{
    memset(out, 0, sizeof(*out));
    mk_stix_common_read(obj, &out->common);
    if (out->common.type != MK_STIX_INDICATOR) {
        return MK_EINVAL;
    }
    out->name = str_of(mk_json_get(obj, "name"));
    out->pattern = str_of(mk_json_get(obj, "pattern"));
    out->pattern_type = str_of(mk_json_get(obj, "pattern_type"));
    out->has_valid_until = time_of(mk_json_get(obj, "valid_until"), &out->valid_until);
    out->kill_chain_phases = array_of(mk_json_get(obj, "kill_chain_phases"));
    out->indicator_types = array_of(mk_json_get(obj, "indicator_types"));
    if (out->pattern.ptr == NULL || !time_of(mk_json_get(obj, "valid_from"), &out->valid_from)) {
        return MK_EINVAL;
    }
    return MK_OK;
}

/* ---- deterministic SCO ids (section 2.9) --------------------------------------
 * The id is UUIDv5(namespace, canonical JSON of the ID-contributing properties
 * present). Canonical here is RFC 8785 (JCS) for what STIX carries: members
 * sorted by key bytes, no whitespace, the minimal string escapes; numbers keep
 * the integer text they were read with. Of a `hashes` dictionary only one hash
 * contributes, chosen as the OASIS stix2 library does: MD5, SHA-1, SHA-256,
 * SHA-512, else the first key. */

#define ID_PROPS_MAX 8
#define CANON_DEPTH  16

struct id_props {
    uint8_t type;
    const char *names[ID_PROPS_MAX];
};

static const struct id_props id_props[] = {
    {MK_STIX_ARTIFACT, {"hashes", "payload_bin"}},
    {MK_STIX_AUTONOMOUS_SYSTEM, {"number"}},
    {MK_STIX_DIRECTORY, {"path"}},
    {MK_STIX_DOMAIN_NAME, {"value"}},
    {MK_STIX_EMAIL_ADDR, {"value"}},
    {MK_STIX_EMAIL_MESSAGE, {"from_ref", "subject", "body"}},
    {MK_STIX_FILE, {"hashes", "name", "extensions", "parent_directory_ref"}},
    {MK_STIX_IPV4_ADDR, {"value"}},
    {MK_STIX_IPV6_ADDR, {"value"}},
    {MK_STIX_MAC_ADDR, {"value"}},
    {MK_STIX_MUTEX, {"name"}},
    {MK_STIX_NETWORK_TRAFFIC,
     {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"}},
    {MK_STIX_SOFTWARE, {"name", "cpe", "swid", "vendor", "version"}},
    {MK_STIX_URL, {"value"}},
    {MK_STIX_USER_ACCOUNT, {"account_type", "user_id", "account_login"}},
    {MK_STIX_WINDOWS_REGISTRY_KEY, {"key", "values"}},
    {MK_STIX_X509_CERTIFICATE, {"hashes", "serial_number"}},
};

/* Output sink: with p == NULL it only counts, so one dry run sizes the buffer. */
struct canon {
    char *p;
    size_t len;
    struct mk_arena *a;
    bool failed;
};

static void put(struct canon *c, const void *s, size_t n)
{
    if (c->p != NULL) {
        memcpy(c->p + c->len, s, n);
    }
    c->len += n;
}

static void put_str(struct canon *c, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    put(c, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;

        switch (ch) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            break;
        }
        if (esc != NULL) {
            put(c, esc, 2);
        } else if (ch < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};

            put(c, u, sizeof(u));
        } else {
            put(c, &s[i], 1);
        }
    }
    put(c, "\"", 1);
}

static int member_order(const struct mk_json_member *a, const struct mk_json_member *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int r = memcmp(a->key, b->key, n);

    if (r != 0) {
        return r;
    }
    return a->key_len < b->key_len ? -1 : (a->key_len > b->key_len);
}

/* Insertion sort of member pointers: STIX objects and dictionaries are small. */
static const struct mk_json_member **sorted_members(struct canon *c, const struct mk_json *v)
{
    const struct mk_json_member **ms = mk_arena_alloc(c->a, sizeof(*ms) * (v->len + 1u));

    if (ms == NULL) {
        c->failed = true;
        return NULL;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        uint32_t j = i;

        while (j > 0 && member_order(ms[j - 1], &v->u.members[i]) > 0) {
            ms[j] = ms[j - 1];
            j--;
        }
        ms[j] = &v->u.members[i];
    }
    return ms;
}

static void put_value(struct canon *c, const struct mk_json *v, int depth);

/* NOLINTNEXTLINE(misc-no-recursion): put_value caps the depth on entry. */
static void put_object(struct canon *c, const struct mk_json *v, int depth)
{
    const struct mk_json_member **ms = sorted_members(c, v);

    if (ms == NULL) {
        return;
    }
    put(c, "{", 1);
    for (uint32_t i = 0; i < v->len; i++) {
        if (i > 0) {
            put(c, ",", 1);
        }
        put_str(c, ms[i]->key, ms[i]->key_len);
        put(c, ":", 1);
        put_value(c, &ms[i]->value, depth + 1);
    }
    put(c, "}", 1);
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is capped by CANON_DEPTH on entry. */
static void put_value(struct canon *c, const struct mk_json *v, int depth)
{
    if (depth > CANON_DEPTH) {
        c->failed = true;
        return;
    }
    switch (v->type) {
    case MK_JSON_NULL:
        put(c, "null", 4);
        break;
    case MK_JSON_BOOL:
        v->boolean ? put(c, "true", 4) : put(c, "false", 5);
        break;
    case MK_JSON_NUMBER:
        put(c, v->u.str, v->len);
        break;
    case MK_JSON_STRING:
        put_str(c, v->u.str, v->len);
        break;
    case MK_JSON_OBJECT:
        put_object(c, v, depth);
        break;
    default:
        put(c, "[", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (i > 0) {
                put(c, ",", 1);
            }
            put_value(c, &v->u.items[i], depth + 1);
        }
        put(c, "]", 1);
        break;
    }
}

static const struct mk_json_member *one_hash(const struct mk_json *hashes)
{
    static const char *const order[] = {"MD5", "SHA-1", "SHA-256", "SHA-512"};

    if (hashes->type != MK_JSON_OBJECT || hashes->len == 0) {
        return NULL;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(order); i++) {
        for (uint32_t j = 0; j < hashes->len; j++) {
            if (key_is(&hashes->u.members[j], order[i])) {
                return &hashes->u.members[j];
            }
        }
    }
    return &hashes->u.members[0];
}

static void put_contributing(struct canon *c, const struct mk_json *obj, const struct id_props *ip)
{
    const char *names[ID_PROPS_MAX];
    size_t n = 0;

    /* The names are few; sort them so members come out in JCS order. */
    for (size_t i = 0; i < ID_PROPS_MAX && ip->names[i] != NULL; i++) {
        size_t j = n++;

        while (j > 0 && strcmp(names[j - 1], ip->names[i]) > 0) {
            names[j] = names[j - 1];
            j--;
        }
        names[j] = ip->names[i];
    }
    put(c, "{", 1);
    for (size_t i = 0, written = 0; i < n; i++) {
        const struct mk_json *v = mk_json_get(obj, names[i]);
        const struct mk_json_member *h;

        if (v == NULL) {
            continue;
        }
        if (written++ > 0) {
            put(c, ",", 1);
        }
        put(c, "\"", 1);
        put(c, names[i], strlen(names[i]));
        put(c, "\":", 2);
        if (strcmp(names[i], "hashes") == 0 && (h = one_hash(v)) != NULL) {
            put(c, "{", 1);
            put_str(c, h->key, h->key_len);
            put(c, ":", 1);
            put_value(c, &h->value, 1);
            put(c, "}", 1);
        } else {
            put_value(c, v, 1);
        }
    }
    put(c, "}", 1);
}

static const struct id_props *id_props_of(enum mk_stix_type t)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(id_props); i++) {
        if (id_props[i].type == t) {
            return &id_props[i];
        }
    }
    return NULL;
}

static bool any_present(const struct mk_json *obj, const struct id_props *ip)
{
    for (size_t i = 0; i < ID_PROPS_MAX && ip->names[i] != NULL; i++) {
        if (mk_json_get(obj, ip->names[i]) != NULL) {
            return true;
        }
    }
    return false;
}

bool mk_stix_sco_expected_id(const struct mk_json *obj, enum mk_stix_type t,
                             struct mk_arena *scratch, uint8_t uuid_out[16])
{
    const struct id_props *ip = id_props_of(t);
    struct canon c = {.a = scratch};

    if (ip == NULL || !any_present(obj, ip)) {
        return false;
    }
    put_contributing(&c, obj, ip);
    if (c.failed || (c.p = mk_arena_alloc(scratch, c.len + 1)) == NULL) {
        return false;
    }
    c.len = 0;
    put_contributing(&c, obj, ip);
    if (c.failed) {
        return false;
    }
    mk_uuid_v5(mk_stix_sco_namespace, c.p, c.len, uuid_out);
    return true;
}
