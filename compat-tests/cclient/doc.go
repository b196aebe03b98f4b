// Package cclient drives cli_mt, the C client's shell from the Debian
// zookeeper-bin package, through scripted sessions against Apache ZooKeeper
// and raftzk, and compares the normalised transcripts with golden files
// captured from Apache ZooKeeper (go test -update rewrites them).
//
// Each scenario is testdata/<name>.sessionN.cli, one cli_mt command per
// line, with $ROOT standing for a fresh root path. cli_mt always creates
// nodes with the data "new" and an open ACL.
package cclient
