// Package config reads Apache ZooKeeper's configuration into a typed Config:
// zoo.cfg (java.util.Properties syntax, QuorumPeerConfig semantics), the
// dynamic config file, the myid file, and the Java system properties that
// ZooKeeper reads (jute.maxbuffer, zookeeper.skipACL, ...).
//
// The package is pure: no globals, no flags, no environment. Parse reads
// only the io.Reader it is given; Load, LoadDynamic and ReadMyID read the
// files they are named. Environment variables reach it only through
// JVMFlagsFromEnv(os.Getenv) in the caller.
//
// The intended sequence, in cmd:
//
//	c, warns, err := config.Load(path)                 // or DefaultStandalone(dir)
//	jvm := config.JVMFlagsFromEnv(os.Getenv)           // SERVER_JVMFLAGS, JVMFLAGS
//	warns = append(warns, c.ApplyProperties(config.Merge(jvm, explicit))...)
//	err = c.Validate()
//
// Precedence is explicit flags > JVM flags > zoo.cfg. (Apache ZooKeeper
// itself lets zoo.cfg win over -D flags, because it calls System.setProperty
// after the JVM started; ApplyProperties warns about every such conflict.)
//
// Unknown keys never fail a configuration and are never silently dropped:
// they come back as Warnings with a file, line and WarningKind telling an
// unknown key (WarnUnknown) from a ZooKeeper key raftzk does not act on
// (WarnNotUsed) and from a key that is a no-op in ZooKeeper too
// (WarnIneffective, e.g. jute.maxbuffer written into zoo.cfg). Callers log
// each warning once.
//
// Errors are returned where ZooKeeper refuses to start: parse-time ones
// (malformed numbers and booleans, bad server.N, electionAlg != 3) from
// Parse/Load as *ParseError, whole-configuration ones (missing dataDir,
// minSessionTimeout > maxSessionTimeout, missing myid in an ensemble, ...)
// from Validate, all of them at once via errors.Join.
package config
