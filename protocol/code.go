package protocol

import "strconv"

// Code is a KeeperException code, the err field of ReplyHeader and MultiHeader.
type Code int32

// Error codes (KeeperException.Code).
const (
	CodeOK                           Code = 0
	CodeSystemError                  Code = -1
	CodeRuntimeInconsistency         Code = -2
	CodeDataInconsistency            Code = -3
	CodeConnectionLoss               Code = -4
	CodeMarshallingError             Code = -5
	CodeUnimplemented                Code = -6
	CodeOperationTimeout             Code = -7
	CodeBadArguments                 Code = -8
	CodeUnknownSession               Code = -12
	CodeNewConfigNoQuorum            Code = -13
	CodeReconfigInProgress           Code = -14
	CodeAPIError                     Code = -100
	CodeNoNode                       Code = -101
	CodeNoAuth                       Code = -102
	CodeBadVersion                   Code = -103
	CodeNoChildrenForEphemerals      Code = -108
	CodeNodeExists                   Code = -110
	CodeNotEmpty                     Code = -111
	CodeSessionExpired               Code = -112
	CodeInvalidCallback              Code = -113
	CodeInvalidACL                   Code = -114
	CodeAuthFailed                   Code = -115
	CodeSessionMoved                 Code = -118
	CodeNotReadOnly                  Code = -119
	CodeEphemeralOnLocalSession      Code = -120
	CodeNoWatcher                    Code = -121
	CodeRequestTimeout               Code = -122
	CodeReconfigDisabled             Code = -123
	CodeSessionClosedRequireSaslAuth Code = -124
	CodeQuotaExceeded                Code = -125
	CodeThrottledOp                  Code = -127
)

type codeInfo struct{ name, msg string }

var codes = map[Code]codeInfo{
	CodeOK:                           {"OK", "ok"},
	CodeSystemError:                  {"SystemError", "SystemError"},
	CodeRuntimeInconsistency:         {"RuntimeInconsistency", "RuntimeInconsistency"},
	CodeDataInconsistency:            {"DataInconsistency", "DataInconsistency"},
	CodeConnectionLoss:               {"ConnectionLoss", "ConnectionLoss"},
	CodeMarshallingError:             {"MarshallingError", "MarshallingError"},
	CodeUnimplemented:                {"Unimplemented", "Unimplemented"},
	CodeOperationTimeout:             {"OperationTimeout", "OperationTimeout"},
	CodeBadArguments:                 {"BadArguments", "BadArguments"},
	CodeUnknownSession:               {"UnknownSession", "Unknown session"},
	CodeNewConfigNoQuorum:            {"NewConfigNoQuorum", "NewConfigNoQuorum"},
	CodeReconfigInProgress:           {"ReconfigInProgress", "ReconfigInProgress"},
	CodeAPIError:                     {"APIError", "APIError"},
	CodeNoNode:                       {"NoNode", "NoNode"},
	CodeNoAuth:                       {"NoAuth", "NoAuth"},
	CodeBadVersion:                   {"BadVersion", "BadVersion"},
	CodeNoChildrenForEphemerals:      {"NoChildrenForEphemerals", "NoChildrenForEphemerals"},
	CodeNodeExists:                   {"NodeExists", "NodeExists"},
	CodeNotEmpty:                     {"NotEmpty", "Directory not empty"},
	CodeSessionExpired:               {"SessionExpired", "Session expired"},
	CodeInvalidCallback:              {"InvalidCallback", "Invalid callback"},
	CodeInvalidACL:                   {"InvalidACL", "InvalidACL"},
	CodeAuthFailed:                   {"AuthFailed", "AuthFailed"},
	CodeSessionMoved:                 {"SessionMoved", "Session moved"},
	CodeNotReadOnly:                  {"NotReadOnly", "Not a read-only call"},
	CodeEphemeralOnLocalSession:      {"EphemeralOnLocalSession", "Ephemeral node on local session"},
	CodeNoWatcher:                    {"NoWatcher", "No such watcher"},
	CodeRequestTimeout:               {"RequestTimeout", "Request timeout"},
	CodeReconfigDisabled:             {"ReconfigDisabled", "Reconfig is disabled"},
	CodeSessionClosedRequireSaslAuth: {"SessionClosedRequireSaslAuth", "Session closed because client failed to authenticate"},
	CodeQuotaExceeded:                {"QuotaExceeded", "Quota has exceeded"},
	CodeThrottledOp:                  {"ThrottledOp", "Op throttled due to high load"},
}

// String returns the code's name, e.g. "NoNode".
func (c Code) String() string {
	if i, ok := codes[c]; ok {
		return i.name
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Error returns the message Java's KeeperException gives the code.
func (c Code) Error() string {
	if i, ok := codes[c]; ok {
		return "zookeeper: " + i.msg
	}
	return "zookeeper: unknown error " + strconv.Itoa(int(c))
}

// Known reports whether c is a code ZooKeeper defines.
func (c Code) Known() bool { _, ok := codes[c]; return ok }
