package dist

import (
	"math/bits"
	"strconv"
	"strings"
)

// Flags is a set of distribution capability flags (DFLAG_* in OTP's dist.h),
// exchanged in the handshake. The flags a connection uses are the
// intersection of what both nodes advertise.
type Flags uint64

// The distribution flags of OTP 25 to 28, from erl_dist_protocol.md and dist.h.
const (
	FlagPublished          Flags = 0x1
	FlagAtomCache          Flags = 0x2
	FlagExtendedReferences Flags = 0x4
	FlagDistMonitor        Flags = 0x8
	FlagFunTags            Flags = 0x10
	FlagDistMonitorName    Flags = 0x20
	FlagHiddenAtomCache    Flags = 0x40
	FlagNewFunTags         Flags = 0x80
	FlagExtendedPidsPorts  Flags = 0x100
	FlagExportPtrTag       Flags = 0x200
	FlagBitBinaries        Flags = 0x400
	FlagNewFloats          Flags = 0x800
	FlagUnicodeIO          Flags = 0x1000
	FlagDistHdrAtomCache   Flags = 0x2000
	FlagSmallAtomTags      Flags = 0x4000
	FlagUTF8Atoms          Flags = 0x10000
	FlagMapTag             Flags = 0x20000
	FlagBigCreation        Flags = 0x40000
	FlagSendSender         Flags = 0x80000
	FlagBigSeqtraceLabels  Flags = 0x100000
	FlagExitPayload        Flags = 0x400000
	FlagFragments          Flags = 0x800000
	FlagHandshake23        Flags = 0x1000000
	FlagUnlinkID           Flags = 0x2000000
	// FlagMandatory25Digest stands for all of Mandatory25. The protocol
	// document gives it as bit 36; the code of every OTP release since 25
	// uses bit 26, which is what goes on the wire.
	FlagMandatory25Digest Flags = 0x4000000
	FlagSpawn             Flags = 1 << 32
	FlagNameMe            Flags = 1 << 33
	FlagV4NC              Flags = 1 << 34
	FlagAlias             Flags = 1 << 35
	FlagAltactSig         Flags = 1 << 37
)

// Mandatory25 is the set OTP 25 requires of a peer, which
// FlagMandatory25Digest abbreviates.
const Mandatory25 = FlagExtendedReferences | FlagFunTags | FlagExtendedPidsPorts |
	FlagUTF8Atoms | FlagNewFunTags | FlagBigCreation | FlagNewFloats | FlagMapTag |
	FlagExportPtrTag | FlagBitBinaries | FlagHandshake23

// Mandatory is the set a peer must advertise to be accepted: what OTP 26
// to 28 require (Mandatory25 plus the new link protocol and version 4 node
// containers). A node that lacks it could not talk to OTP 26+ either.
const Mandatory = Mandatory25 | FlagUnlinkID | FlagV4NC

// DefaultFlags is what a creo node advertises: every mandatory flag both
// individually and as the digest bit, monitors by name, SEND_SENDER, payload
// exits, fragments, the atom cache in the distribution header (input only:
// creo sends with an empty cache header), spawn, aliases and
// BIG_SEQTRACE_LABELS. FlagPublished is added for a visible node.
const DefaultFlags = Mandatory | FlagMandatory25Digest | FlagDistMonitor |
	FlagDistMonitorName | FlagUnicodeIO | FlagSmallAtomTags | FlagSendSender |
	FlagBigSeqtraceLabels | FlagExitPayload | FlagFragments | FlagDistHdrAtomCache |
	FlagSpawn | FlagAlias

// expand replaces FlagMandatory25Digest by the flags it stands for, as
// dist_util does with every flag set it receives.
func (f Flags) expand() Flags {
	if f&FlagMandatory25Digest != 0 {
		f |= Mandatory25
	}
	return f
}

var flagNames = [64]string{
	0: "PUBLISHED", 1: "ATOM_CACHE", 2: "EXTENDED_REFERENCES", 3: "DIST_MONITOR",
	4: "FUN_TAGS", 5: "DIST_MONITOR_NAME", 6: "HIDDEN_ATOM_CACHE", 7: "NEW_FUN_TAGS",
	8: "EXTENDED_PIDS_PORTS", 9: "EXPORT_PTR_TAG", 10: "BIT_BINARIES", 11: "NEW_FLOATS",
	12: "UNICODE_IO", 13: "DIST_HDR_ATOM_CACHE", 14: "SMALL_ATOM_TAGS",
	16: "UTF8_ATOMS", 17: "MAP_TAG", 18: "BIG_CREATION", 19: "SEND_SENDER",
	20: "BIG_SEQTRACE_LABELS", 22: "EXIT_PAYLOAD", 23: "FRAGMENTS", 24: "HANDSHAKE_23",
	25: "UNLINK_ID", 26: "MANDATORY_25_DIGEST", 32: "SPAWN", 33: "NAME_ME", 34: "V4_NC",
	35: "ALIAS", 37: "ALTACT_SIG",
}

// String lists the flags by their OTP names, lowest bit first, separated by
// "|"; a bit without a name shows as its hexadecimal value.
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for f != 0 {
		bit := bits.TrailingZeros64(uint64(f))
		f &^= 1 << bit
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		if name := flagNames[bit]; name != "" {
			b.WriteString(name)
		} else {
			b.WriteString("0x")
			b.WriteString(strconv.FormatUint(uint64(1)<<bit, 16))
		}
	}
	return b.String()
}
