/* Private to src/stix: the STIX 2.1 property schema that model.c defines (one const
 * table per type) and validate.c walks. See docs/internals/stix.md. */
#ifndef MK_STIX_VALIDATE_INT_H
#define MK_STIX_VALIDATE_INT_H

#include "stix/stix.h"

/* What a property's value must look like (STIX 2.1 section 2 "Data types"). */
enum mk_stix_pkind {
    MK_STIX_P_STRING,
    MK_STIX_P_ID,    /* identifier; `refs` restricts the target type when not 0 */
    MK_STIX_P_IDS,   /* non-empty list of identifiers, `refs` as above */
    MK_STIX_P_TIME,  /* RFC 3339 timestamp in UTC with "Z" */
    MK_STIX_P_INT,   /* integer within mk_stix_int_ranges[aux] */
    MK_STIX_P_FLOAT, /* number within mk_stix_float_ranges[aux] */
    MK_STIX_P_BOOL,
    MK_STIX_P_STRINGS,  /* non-empty list of strings */
    MK_STIX_P_OV,       /* string from open vocabulary aux (outside it: a warning) */
    MK_STIX_P_OVS,      /* non-empty list of open-vocabulary strings */
    MK_STIX_P_ENUM,     /* string from closed enumeration aux (outside it: an error) */
    MK_STIX_P_ENUMS,    /* non-empty list of enumeration strings */
    MK_STIX_P_HASHES,   /* hashes dictionary */
    MK_STIX_P_KCP,      /* list of kill-chain-phase */
    MK_STIX_P_EXTREFS,  /* list of external-reference */
    MK_STIX_P_GRANULAR, /* list of granular-marking */
    MK_STIX_P_EXTS,     /* extensions dictionary */
    MK_STIX_P_DICT,     /* any JSON object */
    MK_STIX_P_LIST,     /* non-empty list of anything */
    MK_STIX_P_BINARY,   /* base64 */
    MK_STIX_P_HEX,
    MK_STIX_P_LANG,    /* RFC 5646 language tag */
    MK_STIX_P_TYPE,    /* the "type" property itself */
    MK_STIX_P_SELF_ID, /* the "id" property itself */
    MK_STIX_P_SPEC,    /* spec_version, must be "2.1" */
};

/* Flag bits of struct mk_stix_prop. */
#define MK_STIX_PF_REQUIRED 0x01u

/* Bit of an enum mk_stix_type in a `refs` mask; bit 0 (MK_STIX_TYPE_UNKNOWN)
 * admits types the specification does not define (custom objects). */
#define MK_STIX_BIT(t) (UINT64_C(1) << (t))
#define MK_STIX_REFS_SDO                                                                           \
    (((MK_STIX_BIT(MK_STIX_VULNERABILITY) << 1) - 1) & ~(MK_STIX_BIT(MK_STIX_ATTACK_PATTERN) - 1))
#define MK_STIX_REFS_SCO                                                                           \
    (((MK_STIX_BIT(MK_STIX_X509_CERTIFICATE) << 1) - 1) & ~(MK_STIX_BIT(MK_STIX_ARTIFACT) - 1))

struct mk_stix_prop {
    const char *name;
    uint8_t len;
    uint8_t kind;  /* enum mk_stix_pkind */
    uint8_t flags; /* MK_STIX_PF_* */
    uint8_t aux;   /* vocabulary, enumeration or range index */
    uint64_t refs; /* MK_STIX_BIT mask for ID/IDS; 0 = any type */
};

/* Which set of common properties a type has (section 3.2 table). */
enum mk_stix_profile {
    MK_STIX_PROFILE_SDO, /* SDOs, SROs and language-content */
    MK_STIX_PROFILE_SCO,
    MK_STIX_PROFILE_MARKING, /* marking-definition: no modified, no revoked */
    MK_STIX_PROFILE_EXTDEF,  /* extension-definition: created_by_ref required */
    MK_STIX_PROFILE_CUSTOM,  /* unknown types: only type and id required */
    MK_STIX_PROFILE_BUNDLE,
    MK_STIX_PROFILE_COUNT
};

struct mk_stix_type_info {
    const char *name;
    uint8_t len;
    uint8_t kind;    /* enum mk_stix_kind */
    uint8_t profile; /* enum mk_stix_profile */
    uint8_t n_props;
    const struct mk_stix_prop *props;
};

/* A common property and the profiles that define or require it. */
struct mk_stix_common_prop {
    struct mk_stix_prop p;
    uint8_t defined_in;  /* bit per enum mk_stix_profile */
    uint8_t required_in; /* bit per enum mk_stix_profile */
};

struct mk_stix_vocab {
    const char *name; /* e.g. "indicator-type-ov" */
    const char *const *terms;
    size_t n_terms;
};

struct mk_stix_int_range {
    int64_t lo;
    int64_t hi;
};

struct mk_stix_float_range {
    double lo;
    double hi;
};

/* Vocabulary and enumeration indexes (aux of OV/OVS and ENUM/ENUMS). */
enum mk_stix_vocab_id {
    MK_STIX_OV_ATTACK_MOTIVATION,
    MK_STIX_OV_ATTACK_RESOURCE_LEVEL,
    MK_STIX_OV_GROUPING_CONTEXT,
    MK_STIX_OV_IDENTITY_CLASS,
    MK_STIX_OV_IMPLEMENTATION_LANGUAGE,
    MK_STIX_OV_INDICATOR_TYPE,
    MK_STIX_OV_INDUSTRY_SECTOR,
    MK_STIX_OV_INFRASTRUCTURE_TYPE,
    MK_STIX_OV_MALWARE_RESULT,
    MK_STIX_OV_MALWARE_CAPABILITIES,
    MK_STIX_OV_MALWARE_TYPE,
    MK_STIX_OV_PATTERN_TYPE,
    MK_STIX_OV_PROCESSOR_ARCHITECTURE,
    MK_STIX_OV_REGION,
    MK_STIX_OV_REPORT_TYPE,
    MK_STIX_OV_THREAT_ACTOR_TYPE,
    MK_STIX_OV_THREAT_ACTOR_ROLE,
    MK_STIX_OV_THREAT_ACTOR_SOPHISTICATION,
    MK_STIX_OV_TOOL_TYPE,
    MK_STIX_OV_HASHING_ALGORITHM,
    MK_STIX_OV_ACCOUNT_TYPE,
    MK_STIX_ENUM_OPINION,
    MK_STIX_ENUM_EXTENSION_TYPE,
    MK_STIX_ENUM_ENCRYPTION_ALGORITHM,
    MK_STIX_ENUM_TLP1,
    MK_STIX_ENUM_TLP2,
    MK_STIX_VOCAB_COUNT
};

enum mk_stix_int_range_id {
    MK_STIX_R_ANY,
    MK_STIX_R_NONNEG,
    MK_STIX_R_CONFIDENCE,
    MK_STIX_R_NUMBER_OBSERVED,
    MK_STIX_R_COUNT,
    MK_STIX_R_PORT,
    MK_STIX_R_ASN,
};

enum mk_stix_float_range_id {
    MK_STIX_F_ANY,
    MK_STIX_F_LATITUDE,
    MK_STIX_F_LONGITUDE,
    MK_STIX_F_NONNEG,
};

extern const struct mk_stix_vocab mk_stix_vocabs[MK_STIX_VOCAB_COUNT];
extern const struct mk_stix_int_range mk_stix_int_ranges[];
extern const struct mk_stix_float_range mk_stix_float_ranges[];

/* The schema of a type; MK_STIX_TYPE_UNKNOWN gives the custom-object entry. */
const struct mk_stix_type_info *mk_stix_type_info(enum mk_stix_type t);
/* The common-property table shared by all types (n entries). */
const struct mk_stix_common_prop *mk_stix_common_props(size_t *n);
bool mk_stix_vocab_has(enum mk_stix_vocab_id v, const char *s, size_t n);

/* The specification's fixed marking-definition ids (TLP 1.0 in section 7.2.1.4;
 * TLP 2.0 in the OASIS TLP 2.0 extension). `level` is the definition value. */
struct mk_stix_tlp_id {
    const char *level;
    const char *id;
};

extern const struct mk_stix_tlp_id mk_stix_tlp1_ids[4];
extern const struct mk_stix_tlp_id mk_stix_tlp2_ids[5];

#define MK_STIX_TLP2_EXTENSION_ID "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* Canonical (JCS-style: sorted keys, compact, minimal escapes) serialisation of
 * an SCO's ID-contributing properties and the UUIDv5 id they give (section 2.9).
 * Returns false when the type has no ID-contributing property present, or when
 * the serialisation does not fit in the scratch arena. */
bool mk_stix_sco_expected_id(const struct mk_json *obj, enum mk_stix_type t,
                             struct mk_arena *scratch, uint8_t uuid_out[16]);

#endif /* MK_STIX_VALIDATE_INT_H */
