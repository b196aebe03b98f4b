package protocol

import "github.com/raftzk/raftzk/jute"

// NewRequest returns a new zero request record for op, or nil when the opcode
// has no request body (ping, closeSession, whoAmI) or is unknown. ok is false
// for opcodes that are not valid client requests.
func NewRequest(op Op) (rec jute.Record, ok bool) {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer:
		return &jute.CreateRequest{}, true
	case OpCreateTTL:
		return &jute.CreateTTLRequest{}, true
	case OpDelete:
		return &jute.DeleteRequest{}, true
	case OpDeleteContainer:
		return &jute.DeleteContainerRequest{}, true
	case OpExists:
		return &jute.ExistsRequest{}, true
	case OpGetData:
		return &jute.GetDataRequest{}, true
	case OpSetData:
		return &jute.SetDataRequest{}, true
	case OpGetACL:
		return &jute.GetACLRequest{}, true
	case OpSetACL:
		return &jute.SetACLRequest{}, true
	case OpGetChildren:
		return &jute.GetChildrenRequest{}, true
	case OpGetChildren2:
		return &jute.GetChildren2Request{}, true
	case OpSync:
		return &jute.SyncRequest{}, true
	case OpCheck:
		return &jute.CheckVersionRequest{}, true
	case OpMulti, OpMultiRead:
		return &MultiRequest{}, true
	case OpReconfig:
		return &jute.ReconfigRequest{}, true
	case OpCheckWatches:
		return &jute.CheckWatchesRequest{}, true
	case OpRemoveWatches:
		return &jute.RemoveWatchesRequest{}, true
	case OpAuth:
		return &jute.AuthPacket{}, true
	case OpSetWatches:
		return &jute.SetWatches{}, true
	case OpSetWatches2:
		return &jute.SetWatches2{}, true
	case OpSasl:
		return &jute.GetSASLRequest{}, true
	case OpGetEphemerals:
		return &jute.GetEphemeralsRequest{}, true
	case OpGetAllChildrenNumber:
		return &jute.GetAllChildrenNumberRequest{}, true
	case OpAddWatch:
		return &jute.AddWatchRequest{}, true
	case OpPing, OpCloseSession, OpWhoAmI:
		return nil, true
	}
	return nil, false
}

// NewResponse returns a new zero response record for a successful op, or nil
// when the reply is a bare ReplyHeader.
func NewResponse(op Op) jute.Record {
	switch op {
	case OpCreate:
		return &jute.CreateResponse{}
	case OpCreate2, OpCreateContainer, OpCreateTTL:
		return &jute.Create2Response{}
	case OpExists:
		return &jute.ExistsResponse{}
	case OpGetData, OpReconfig:
		return &jute.GetDataResponse{}
	case OpSetData:
		return &jute.SetDataResponse{}
	case OpGetACL:
		return &jute.GetACLResponse{}
	case OpSetACL:
		return &jute.SetACLResponse{}
	case OpGetChildren:
		return &jute.GetChildrenResponse{}
	case OpGetChildren2:
		return &jute.GetChildren2Response{}
	case OpSync:
		return &jute.SyncResponse{}
	case OpMulti, OpMultiRead:
		return &MultiResponse{}
	case OpSasl:
		return &jute.SetSASLResponse{}
	case OpGetEphemerals:
		return &jute.GetEphemeralsResponse{}
	case OpGetAllChildrenNumber:
		return &jute.GetAllChildrenNumberResponse{}
	case OpWhoAmI:
		return &jute.WhoAmIResponse{}
	case OpAddWatch:
		return &jute.ErrorResponse{}
	}
	return nil
}
