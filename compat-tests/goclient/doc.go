// Package goclient runs the Go client, github.com/go-zookeeper/zk, against
// Apache ZooKeeper and raftzk: every API it offers, watches, ACLs, multi, and
// a reconnect through a proxy that is cut, with the watch events missed
// meanwhile delivered afterwards.
package goclient
