package dist

import "testing"

func TestFlagSets(t *testing.T) {
	tests := []struct {
		name string
		got  Flags
		want Flags
	}{
		// OTP 25.2.3's runtime mandatory set (erts_internal:get_dflags()).
		{"Mandatory25", Mandatory25, 0x01070F94},
		// What OTP 26 to 28 require (dist.h DFLAG_DIST_MANDATORY).
		{"Mandatory", Mandatory, 0x403070F94},
		// OTP 25.2.3's defaults less PUBLISHED: everything but the
		// obsolete atom caches and NAME_ME.
		{"DefaultFlags", DefaultFlags, 0xD07DF7FBC},
		{"digest expands", FlagMandatory25Digest.expand(), FlagMandatory25Digest | Mandatory25},
		{"no digest", FlagSpawn.expand(), FlagSpawn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %#x, want %#x", uint64(tt.got), uint64(tt.want))
			}
		})
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		name string
		in   Flags
		want string
	}{
		{"zero", 0, "0"},
		{"one", FlagUnlinkID, "UNLINK_ID"},
		{"OTP 26 additions", FlagUnlinkID | FlagV4NC, "UNLINK_ID|V4_NC"},
		{"unnamed bit", FlagPublished | 1<<21 | 1<<63, "PUBLISHED|0x200000|0x8000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
