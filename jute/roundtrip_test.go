package jute_test

import (
	"os"
	"reflect"
	"regexp"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/jute/jutetest"
)

// records is every record type of the package, by name: the generated ones
// and the hand-written handshake. TestRecordsTableComplete keeps it in step
// with records_gen.go.
var records = []struct {
	name string
	new  func() jute.Record
}{
	{"Id", func() jute.Record { return &jute.Id{} }},
	{"ACL", func() jute.Record { return &jute.ACL{} }},
	{"Stat", func() jute.Record { return &jute.Stat{} }},
	{"StatPersisted", func() jute.Record { return &jute.StatPersisted{} }},
	{"ClientInfo", func() jute.Record { return &jute.ClientInfo{} }},
	{"RequestHeader", func() jute.Record { return &jute.RequestHeader{} }},
	{"ReplyHeader", func() jute.Record { return &jute.ReplyHeader{} }},
	{"MultiHeader", func() jute.Record { return &jute.MultiHeader{} }},
	{"WatcherEvent", func() jute.Record { return &jute.WatcherEvent{} }},
	{"ErrorResponse", func() jute.Record { return &jute.ErrorResponse{} }},
	{"CreateRequest", func() jute.Record { return &jute.CreateRequest{} }},
	{"CreateTTLRequest", func() jute.Record { return &jute.CreateTTLRequest{} }},
	{"DeleteRequest", func() jute.Record { return &jute.DeleteRequest{} }},
	{"DeleteContainerRequest", func() jute.Record { return &jute.DeleteContainerRequest{} }},
	{"ExistsRequest", func() jute.Record { return &jute.ExistsRequest{} }},
	{"GetDataRequest", func() jute.Record { return &jute.GetDataRequest{} }},
	{"SetDataRequest", func() jute.Record { return &jute.SetDataRequest{} }},
	{"GetACLRequest", func() jute.Record { return &jute.GetACLRequest{} }},
	{"SetACLRequest", func() jute.Record { return &jute.SetACLRequest{} }},
	{"GetChildrenRequest", func() jute.Record { return &jute.GetChildrenRequest{} }},
	{"GetChildren2Request", func() jute.Record { return &jute.GetChildren2Request{} }},
	{"SyncRequest", func() jute.Record { return &jute.SyncRequest{} }},
	{"CheckVersionRequest", func() jute.Record { return &jute.CheckVersionRequest{} }},
	{"ReconfigRequest", func() jute.Record { return &jute.ReconfigRequest{} }},
	{"CheckWatchesRequest", func() jute.Record { return &jute.CheckWatchesRequest{} }},
	{"RemoveWatchesRequest", func() jute.Record { return &jute.RemoveWatchesRequest{} }},
	{"AddWatchRequest", func() jute.Record { return &jute.AddWatchRequest{} }},
	{"GetEphemeralsRequest", func() jute.Record { return &jute.GetEphemeralsRequest{} }},
	{"GetAllChildrenNumberRequest", func() jute.Record { return &jute.GetAllChildrenNumberRequest{} }},
	{"AuthPacket", func() jute.Record { return &jute.AuthPacket{} }},
	{"GetSASLRequest", func() jute.Record { return &jute.GetSASLRequest{} }},
	{"SetSASLRequest", func() jute.Record { return &jute.SetSASLRequest{} }},
	{"SetWatches", func() jute.Record { return &jute.SetWatches{} }},
	{"SetWatches2", func() jute.Record { return &jute.SetWatches2{} }},
	{"CreateResponse", func() jute.Record { return &jute.CreateResponse{} }},
	{"Create2Response", func() jute.Record { return &jute.Create2Response{} }},
	{"ExistsResponse", func() jute.Record { return &jute.ExistsResponse{} }},
	{"SetDataResponse", func() jute.Record { return &jute.SetDataResponse{} }},
	{"SetACLResponse", func() jute.Record { return &jute.SetACLResponse{} }},
	{"GetDataResponse", func() jute.Record { return &jute.GetDataResponse{} }},
	{"GetACLResponse", func() jute.Record { return &jute.GetACLResponse{} }},
	{"GetChildrenResponse", func() jute.Record { return &jute.GetChildrenResponse{} }},
	{"GetChildren2Response", func() jute.Record { return &jute.GetChildren2Response{} }},
	{"SyncResponse", func() jute.Record { return &jute.SyncResponse{} }},
	{"GetEphemeralsResponse", func() jute.Record { return &jute.GetEphemeralsResponse{} }},
	{"GetAllChildrenNumberResponse", func() jute.Record { return &jute.GetAllChildrenNumberResponse{} }},
	{"WhoAmIResponse", func() jute.Record { return &jute.WhoAmIResponse{} }},
	{"SetSASLResponse", func() jute.Record { return &jute.SetSASLResponse{} }},
	{"FileHeader", func() jute.Record { return &jute.FileHeader{} }},
	{"TxnHeader", func() jute.Record { return &jute.TxnHeader{} }},
	{"TxnDigest", func() jute.Record { return &jute.TxnDigest{} }},
	{"CreateTxnV0", func() jute.Record { return &jute.CreateTxnV0{} }},
	{"CreateTxn", func() jute.Record { return &jute.CreateTxn{} }},
	{"CreateTTLTxn", func() jute.Record { return &jute.CreateTTLTxn{} }},
	{"CreateContainerTxn", func() jute.Record { return &jute.CreateContainerTxn{} }},
	{"DeleteTxn", func() jute.Record { return &jute.DeleteTxn{} }},
	{"SetDataTxn", func() jute.Record { return &jute.SetDataTxn{} }},
	{"CheckVersionTxn", func() jute.Record { return &jute.CheckVersionTxn{} }},
	{"SetACLTxn", func() jute.Record { return &jute.SetACLTxn{} }},
	{"CreateSessionTxn", func() jute.Record { return &jute.CreateSessionTxn{} }},
	{"CloseSessionTxn", func() jute.Record { return &jute.CloseSessionTxn{} }},
	{"ErrorTxn", func() jute.Record { return &jute.ErrorTxn{} }},
	{"Txn", func() jute.Record { return &jute.Txn{} }},
	{"MultiTxn", func() jute.Record { return &jute.MultiTxn{} }},
	{"ConnectRequest", func() jute.Record { return &jute.ConnectRequest{} }},
	{"ConnectResponse", func() jute.Record { return &jute.ConnectResponse{} }},
}

func TestRecordsTableComplete(t *testing.T) {
	src, err := os.ReadFile("records_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range records {
		if got := reflect.TypeOf(r.new()).Elem().Name(); got != r.name {
			t.Errorf("table entry %s makes a %s", r.name, got)
		}
		have[r.name] = true
	}
	for _, m := range regexp.MustCompile(`(?m)^type (\w+) struct`).FindAllSubmatch(src, -1) {
		if !have[string(m[1])] {
			t.Errorf("record %s is missing from the fuzz table", m[1])
		}
	}
}

func TestEqualModNull(t *testing.T) {
	eq := jutetest.EqualModNull
	if !eq(&jute.GetChildrenResponse{}, &jute.GetChildrenResponse{Children: []string{}}) {
		t.Error("a nil vector must equal an empty one")
	}
	if eq(&jute.GetDataResponse{}, &jute.GetDataResponse{Data: []byte{}}) {
		t.Error("a null buffer must differ from an empty one")
	}
	if eq(&jute.GetChildrenResponse{Children: []string{"a"}}, &jute.GetChildrenResponse{Children: []string{"b"}}) {
		t.Error("different children compare equal")
	}
}
