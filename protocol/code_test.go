package protocol_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/raftzk/raftzk/protocol"
)

// TestCode checks the values against KeeperException.Code and the names and
// messages the Java client shows.
func TestCode(t *testing.T) {
	for _, tc := range []struct {
		code protocol.Code
		val  int32
		name string
		msg  string
	}{
		{protocol.CodeOK, 0, "OK", "ok"},
		{protocol.CodeSystemError, -1, "SystemError", "SystemError"},
		{protocol.CodeRuntimeInconsistency, -2, "RuntimeInconsistency", "RuntimeInconsistency"},
		{protocol.CodeDataInconsistency, -3, "DataInconsistency", "DataInconsistency"},
		{protocol.CodeConnectionLoss, -4, "ConnectionLoss", "ConnectionLoss"},
		{protocol.CodeMarshallingError, -5, "MarshallingError", "MarshallingError"},
		{protocol.CodeUnimplemented, -6, "Unimplemented", "Unimplemented"},
		{protocol.CodeOperationTimeout, -7, "OperationTimeout", "OperationTimeout"},
		{protocol.CodeBadArguments, -8, "BadArguments", "BadArguments"},
		{protocol.CodeUnknownSession, -12, "UnknownSession", "Unknown session"},
		{protocol.CodeNewConfigNoQuorum, -13, "NewConfigNoQuorum", "NewConfigNoQuorum"},
		{protocol.CodeReconfigInProgress, -14, "ReconfigInProgress", "ReconfigInProgress"},
		{protocol.CodeAPIError, -100, "APIError", "APIError"},
		{protocol.CodeNoNode, -101, "NoNode", "NoNode"},
		{protocol.CodeNoAuth, -102, "NoAuth", "NoAuth"},
		{protocol.CodeBadVersion, -103, "BadVersion", "BadVersion"},
		{protocol.CodeNoChildrenForEphemerals, -108, "NoChildrenForEphemerals", "NoChildrenForEphemerals"},
		{protocol.CodeNodeExists, -110, "NodeExists", "NodeExists"},
		{protocol.CodeNotEmpty, -111, "NotEmpty", "Directory not empty"},
		{protocol.CodeSessionExpired, -112, "SessionExpired", "Session expired"},
		{protocol.CodeInvalidCallback, -113, "InvalidCallback", "Invalid callback"},
		{protocol.CodeInvalidACL, -114, "InvalidACL", "InvalidACL"},
		{protocol.CodeAuthFailed, -115, "AuthFailed", "AuthFailed"},
		{protocol.CodeSessionMoved, -118, "SessionMoved", "Session moved"},
		{protocol.CodeNotReadOnly, -119, "NotReadOnly", "Not a read-only call"},
		{protocol.CodeEphemeralOnLocalSession, -120, "EphemeralOnLocalSession", "Ephemeral node on local session"},
		{protocol.CodeNoWatcher, -121, "NoWatcher", "No such watcher"},
		{protocol.CodeRequestTimeout, -122, "RequestTimeout", "Request timeout"},
		{protocol.CodeReconfigDisabled, -123, "ReconfigDisabled", "Reconfig is disabled"},
		{protocol.CodeSessionClosedRequireSaslAuth, -124, "SessionClosedRequireSaslAuth", "Session closed because client failed to authenticate"},
		{protocol.CodeQuotaExceeded, -125, "QuotaExceeded", "Quota has exceeded"},
		{protocol.CodeThrottledOp, -127, "ThrottledOp", "Op throttled due to high load"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if int32(tc.code) != tc.val {
				t.Errorf("value %d, want %d", tc.code, tc.val)
			}
			if got := tc.code.String(); got != tc.name {
				t.Errorf("String() = %q", got)
			}
			if got := tc.code.Error(); got != "zookeeper: "+tc.msg {
				t.Errorf("Error() = %q", got)
			}
			if !tc.code.Known() {
				t.Error("not Known")
			}
			// A Code is an error value: it survives wrapping.
			var c protocol.Code
			if err := fmt.Errorf("create /x: %w", tc.code); !errors.As(err, &c) || c != tc.code || !errors.Is(err, tc.code) {
				t.Errorf("errors.As/Is through a wrap: %v", c)
			}
		})
	}
	for _, c := range []protocol.Code{-9, -109, -126, -999, 1} {
		if c.Known() || c.String() != fmt.Sprintf("Code(%d)", c) || !strings.Contains(c.Error(), fmt.Sprint(int32(c))) {
			t.Errorf("unknown code %d: %v %q %q", c, c.Known(), c.String(), c.Error())
		}
	}
}

func TestOp(t *testing.T) {
	for _, tc := range []struct {
		op    protocol.Op
		val   int32
		name  string
		write bool
	}{
		{protocol.OpCreate, 1, "create", true}, {protocol.OpDelete, 2, "delete", true},
		{protocol.OpExists, 3, "exists", false}, {protocol.OpGetData, 4, "getData", false},
		{protocol.OpSetData, 5, "setData", true}, {protocol.OpGetACL, 6, "getACL", false},
		{protocol.OpSetACL, 7, "setACL", true}, {protocol.OpGetChildren, 8, "getChildren", false},
		{protocol.OpSync, 9, "sync", false}, {protocol.OpPing, 11, "ping", false},
		{protocol.OpGetChildren2, 12, "getChildren2", false}, {protocol.OpCheck, 13, "check", true},
		{protocol.OpMulti, 14, "multi", true}, {protocol.OpCreate2, 15, "create2", true},
		{protocol.OpReconfig, 16, "reconfig", true}, {protocol.OpCheckWatches, 17, "checkWatches", false},
		{protocol.OpRemoveWatches, 18, "removeWatches", false}, {protocol.OpCreateContainer, 19, "createContainer", true},
		{protocol.OpDeleteContainer, 20, "deleteContainer", true}, {protocol.OpCreateTTL, 21, "createTTL", true},
		{protocol.OpMultiRead, 22, "multiRead", false}, {protocol.OpAuth, 100, "auth", false},
		{protocol.OpSetWatches, 101, "setWatches", false}, {protocol.OpSasl, 102, "sasl", false},
		{protocol.OpGetEphemerals, 103, "getEphemerals", false}, {protocol.OpGetAllChildrenNumber, 104, "getAllChildrenNumber", false},
		{protocol.OpSetWatches2, 105, "setWatches2", false}, {protocol.OpAddWatch, 106, "addWatch", false},
		{protocol.OpWhoAmI, 107, "whoAmI", false}, {protocol.OpCreateSession, -10, "createSession", true},
		{protocol.OpCloseSession, -11, "closeSession", true}, {protocol.OpError, -1, "error", false},
	} {
		if int32(tc.op) != tc.val || tc.op.String() != tc.name || tc.op.IsWrite() != tc.write {
			t.Errorf("%d: %q write=%v, want %d %q %v", tc.op, tc.op, tc.op.IsWrite(), tc.val, tc.name, tc.write)
		}
		if tc.op == protocol.OpError || tc.op == protocol.OpCreateSession {
			continue
		}
		if _, ok := protocol.NewRequest(tc.op); !ok {
			t.Errorf("NewRequest(%v) not ok", tc.op)
		}
	}
	for _, op := range []protocol.Op{0, 10, 23, 99, 108, -2, -10, -1} {
		if _, ok := protocol.NewRequest(op); ok {
			t.Errorf("NewRequest(%d) ok: not a client request", op)
		}
	}
}
