package dist

import "strconv"

// Op is the operation code of a control message, the first element of its
// tuple (DOP_* in OTP's dist.h).
type Op uint8

// The operations of OTP 25 to 28. Codes 9, 10, 11, 14, 15 and 17 were never
// assigned.
const (
	OpLink                Op = 1
	OpSend                Op = 2
	OpExit                Op = 3
	OpUnlink              Op = 4 // obsolete since OTP 26
	OpNodeLink            Op = 5 // obsolete
	OpRegSend             Op = 6
	OpGroupLeader         Op = 7
	OpExit2               Op = 8
	OpSendTT              Op = 12
	OpExitTT              Op = 13
	OpRegSendTT           Op = 16
	OpExit2TT             Op = 18
	OpMonitorP            Op = 19
	OpDemonitorP          Op = 20
	OpMonitorPExit        Op = 21
	OpSendSender          Op = 22
	OpSendSenderTT        Op = 23
	OpPayloadExit         Op = 24
	OpPayloadExitTT       Op = 25
	OpPayloadExit2        Op = 26
	OpPayloadExit2TT      Op = 27
	OpPayloadMonitorPExit Op = 28
	OpSpawnRequest        Op = 29
	OpSpawnRequestTT      Op = 30
	OpSpawnReply          Op = 31
	OpSpawnReplyTT        Op = 32
	OpAliasSend           Op = 33
	OpAliasSendTT         Op = 34
	OpUnlinkID            Op = 35
	OpUnlinkIDAck         Op = 36
	OpAltactSigSend       Op = 37
)

var opNames = [...]string{
	OpLink:                "LINK",
	OpSend:                "SEND",
	OpExit:                "EXIT",
	OpUnlink:              "UNLINK",
	OpNodeLink:            "NODE_LINK",
	OpRegSend:             "REG_SEND",
	OpGroupLeader:         "GROUP_LEADER",
	OpExit2:               "EXIT2",
	OpSendTT:              "SEND_TT",
	OpExitTT:              "EXIT_TT",
	OpRegSendTT:           "REG_SEND_TT",
	OpExit2TT:             "EXIT2_TT",
	OpMonitorP:            "MONITOR_P",
	OpDemonitorP:          "DEMONITOR_P",
	OpMonitorPExit:        "MONITOR_P_EXIT",
	OpSendSender:          "SEND_SENDER",
	OpSendSenderTT:        "SEND_SENDER_TT",
	OpPayloadExit:         "PAYLOAD_EXIT",
	OpPayloadExitTT:       "PAYLOAD_EXIT_TT",
	OpPayloadExit2:        "PAYLOAD_EXIT2",
	OpPayloadExit2TT:      "PAYLOAD_EXIT2_TT",
	OpPayloadMonitorPExit: "PAYLOAD_MONITOR_P_EXIT",
	OpSpawnRequest:        "SPAWN_REQUEST",
	OpSpawnRequestTT:      "SPAWN_REQUEST_TT",
	OpSpawnReply:          "SPAWN_REPLY",
	OpSpawnReplyTT:        "SPAWN_REPLY_TT",
	OpAliasSend:           "ALIAS_SEND",
	OpAliasSendTT:         "ALIAS_SEND_TT",
	OpUnlinkID:            "UNLINK_ID",
	OpUnlinkIDAck:         "UNLINK_ID_ACK",
	OpAltactSigSend:       "ALTACT_SIG_SEND",
}

// String returns the operation's name as OTP's documentation spells it.
func (op Op) String() string {
	if int(op) < len(opNames) && opNames[op] != "" {
		return opNames[op]
	}
	return "op(" + strconv.Itoa(int(op)) + ")"
}
