package etf

import "strconv"

// version is the byte that starts every term encoded outside a distribution
// header.
const version = 131

// tag is the first byte of an encoded term; it says how the rest is laid out.
// The names are those of erl_ext_dist.
type tag uint8

const (
	tagNewFloat       tag = 70
	tagBitBinary      tag = 77
	tagCompressed     tag = 80
	tagAtomCacheRef   tag = 82
	tagNewPid         tag = 88
	tagNewPort        tag = 89
	tagNewerReference tag = 90
	tagSmallInteger   tag = 97
	tagInteger        tag = 98
	tagFloat          tag = 99
	tagAtom           tag = 100
	tagReference      tag = 101
	tagPort           tag = 102
	tagPid            tag = 103
	tagSmallTuple     tag = 104
	tagLargeTuple     tag = 105
	tagNil            tag = 106
	tagString         tag = 107
	tagList           tag = 108
	tagBinary         tag = 109
	tagSmallBig       tag = 110
	tagLargeBig       tag = 111
	tagNewFun         tag = 112
	tagExport         tag = 113
	tagNewReference   tag = 114
	tagSmallAtom      tag = 115
	tagMap            tag = 116
	tagFun            tag = 117
	tagAtomUTF8       tag = 118
	tagSmallAtomUTF8  tag = 119
	tagV4Port         tag = 120
	tagLocal          tag = 121
)

var tagNames = [...]string{
	tagNewFloat:       "NEW_FLOAT_EXT",
	tagBitBinary:      "BIT_BINARY_EXT",
	tagCompressed:     "compressed term",
	tagAtomCacheRef:   "ATOM_CACHE_REF",
	tagNewPid:         "NEW_PID_EXT",
	tagNewPort:        "NEW_PORT_EXT",
	tagNewerReference: "NEWER_REFERENCE_EXT",
	tagSmallInteger:   "SMALL_INTEGER_EXT",
	tagInteger:        "INTEGER_EXT",
	tagFloat:          "FLOAT_EXT",
	tagAtom:           "ATOM_EXT",
	tagReference:      "REFERENCE_EXT",
	tagPort:           "PORT_EXT",
	tagPid:            "PID_EXT",
	tagSmallTuple:     "SMALL_TUPLE_EXT",
	tagLargeTuple:     "LARGE_TUPLE_EXT",
	tagNil:            "NIL_EXT",
	tagString:         "STRING_EXT",
	tagList:           "LIST_EXT",
	tagBinary:         "BINARY_EXT",
	tagSmallBig:       "SMALL_BIG_EXT",
	tagLargeBig:       "LARGE_BIG_EXT",
	tagNewFun:         "NEW_FUN_EXT",
	tagExport:         "EXPORT_EXT",
	tagNewReference:   "NEW_REFERENCE_EXT",
	tagSmallAtom:      "SMALL_ATOM_EXT",
	tagMap:            "MAP_EXT",
	tagFun:            "FUN_EXT",
	tagAtomUTF8:       "ATOM_UTF8_EXT",
	tagSmallAtomUTF8:  "SMALL_ATOM_UTF8_EXT",
	tagV4Port:         "V4_PORT_EXT",
	tagLocal:          "LOCAL_EXT",
}

// String returns the erl_ext_dist name of the tag, or "tag N" for a byte that
// names no term.
func (t tag) String() string {
	if int(t) < len(tagNames) && tagNames[t] != "" {
		return tagNames[t]
	}
	return "tag " + strconv.Itoa(int(t))
}
