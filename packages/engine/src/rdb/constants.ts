/** The RDB format version Redis 7.0 writes (and the newest this engine reads). */
export const RDB_VERSION = 10;
/** Versions up to 11 (Redis 7.2) are read: their only additions used here are new types, refused by type. */
export const RDB_MAX_READ_VERSION = 11;

export const TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

export const OPCODE = {
  FUNCTION2: 245,
  FUNCTION: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Length prefixes: 00 6-bit, 01 14-bit, 0x80 32-bit, 0x81 64-bit, 11 special string encodings. */
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

/** Quicklist node containers. */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** Stream entry flags in node listpacks. */
export const STREAM_ITEM_DELETED = 1;
export const STREAM_ITEM_SAMEFIELDS = 2;
