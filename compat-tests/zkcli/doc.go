// Package zkcli plays scripted zkCli.sh sessions (the Java command-line
// client of the Debian zookeeper package) against Apache ZooKeeper and
// raftzk and compares the normalised transcripts with golden files
// captured from Apache ZooKeeper (go test -update rewrites them).
//
// Each scenario is testdata/<name>.sessionN.zk, one zkCli command per line,
// with $ROOT standing for a fresh root path; testdata/<name>.golden is the
// expected transcript.
package zkcli
