package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Parse reads a zoo.cfg from r the way QuorumPeerConfig.parseProperties
// does. source names the file in warnings and errors and becomes c.Source.
// Parse does no other I/O: it neither reads dynamicConfigFile nor the myid
// file (Load does both).
//
// Keys QuorumPeerConfig parses itself fill their fields; every other key
// becomes the property "zookeeper.<key>" in c.FileProperties and, if it is
// one the server honours, its typed field. Keys that are unknown, known but
// unused by raftzk, or ineffective even in ZooKeeper come back as warnings.
// An error is returned only where ZooKeeper refuses to start while parsing
// (a malformed number or boolean, a bad server.N line, electionAlg != 3, a
// malformed \u escape, server.N next to dynamicConfigFile, ...); checks that
// need the whole configuration are left to Validate.
func Parse(r io.Reader, source string) (*Config, []Warning, error) {
	entries, err := ReadProperties(r)
	if err != nil {
		return nil, nil, &ParseError{File: source, Err: err}
	}
	p := parser{c: Default(), source: source, lines: map[string]int{}}
	p.c.Source = source
	p.c.fileLines = map[string]int{}
	if err := p.run(entries); err != nil {
		return nil, nil, err
	}
	return p.c, p.warns, nil
}

// Load reads the zoo.cfg at path, then the dynamic config file it names
// (a relative name is relative to the working directory, as in ZooKeeper)
// and, when servers are configured, <dataDir>/myid, applying the my-server
// rules of QuorumPeerConfig (client address and peer type taken from the
// server.N line). The result still needs ApplyProperties and Validate.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	c, warns, err := Parse(bytes.NewReader(data), path)
	if err != nil {
		return nil, nil, err
	}
	if c.DynamicConfigFile != "" {
		servers, version, w, err := LoadDynamic(c.DynamicConfigFile)
		if err != nil {
			return nil, nil, err
		}
		warns = append(warns, w...)
		c.Servers, c.ConfigVersion = servers, version
		warns = append(warns, c.serverWarnings(c.DynamicConfigFile)...)
	}
	if len(c.Servers) == 0 || c.DataDir == "" {
		return c, warns, nil
	}
	id, err := ReadMyID(c.DataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return c, warns, nil // Validate reports it if the ensemble needs it
	}
	if err != nil {
		return nil, nil, err
	}
	w, err := c.ApplyMyID(id)
	if err != nil {
		return nil, nil, err
	}
	return c, append(warns, w...), nil
}

// ReadMyID reads <dataDir>/myid as QuorumPeerConfig.setupMyId does: the
// first line must be a decimal long, nothing else (no surrounding spaces).
// A missing file yields an error wrapping fs.ErrNotExist.
func ReadMyID(dataDir string) (int64, error) {
	name := filepath.Join(dataDir, "myid")
	data, err := os.ReadFile(name)
	if err != nil {
		return UnsetServerID, fmt.Errorf("config: myid: %w", err)
	}
	return ParseMyID(data, name)
}

// ParseMyID parses the contents of a myid file; name is used in errors.
func ParseMyID(data []byte, name string) (int64, error) {
	line, ok := readFirstLine(data)
	if !ok {
		return UnsetServerID, &ParseError{File: name, Err: errors.New("serverid null is not a number")}
	}
	id, err := parseJavaLong(line, 10)
	if err != nil {
		return UnsetServerID, &ParseError{File: name, Err: fmt.Errorf("serverid %s is not a number", line)}
	}
	return id, nil
}

// ApplyMyID sets MyID and applies QuorumPeerConfig's setupClientPort and
// setupPeerType: the client address of this server's server.N line wins over
// clientPort/clientPortAddress (it is an error for them to disagree), a line
// without a client part inherits the static one, and the role in server.N
// wins over peerType (with a warning).
func (c *Config) ApplyMyID(id int64) ([]Warning, error) {
	c.MyID = id
	var warns []Warning
	idx := -1
	for i := range c.Servers {
		if c.Servers[i].ID == id {
			idx = i
		}
	}
	role := Participant
	if idx >= 0 {
		s := &c.Servers[idx]
		role = s.Type
		if s.ClientPort != 0 && c.ClientPort != 0 {
			wildcard := c.ClientPortAddress == "" || isAnyLocal(c.ClientPortAddress)
			if (!wildcard && (c.ClientPortAddress != s.ClientHost || c.ClientPort != s.ClientPort)) ||
				(wildcard && c.ClientPort != s.ClientPort) {
				return nil, &ParseError{File: c.Source, Err: fmt.Errorf(
					"client address for this server (id = %d) in static config file is %s:%d is different from client address found in dynamic file: %s:%d",
					id, c.ClientPortAddress, c.ClientPort, s.ClientHost, s.ClientPort)}
			}
		}
		switch {
		case s.ClientPort != 0:
			c.ClientPort = s.ClientPort
			c.ClientPortAddress = s.ClientHost
			if isAnyLocal(s.ClientHost) {
				c.ClientPortAddress = ""
			}
		case c.ClientPort != 0:
			s.ClientPort = c.ClientPort
			s.ClientHost = c.ClientPortAddress
			if s.ClientHost == "" {
				s.ClientHost = "0.0.0.0"
			}
		}
	}
	if role != c.PeerType {
		warns = append(warns, Warning{File: c.Source, Key: "peerType", Kind: WarnNotice,
			Reason: fmt.Sprintf("peer type from servers list (%s) doesn't match peerType (%s); using the servers list", role, c.PeerType)})
		c.PeerType = role
	}
	return warns, nil
}

func isAnyLocal(h string) bool {
	switch strings.Trim(h, "[]") {
	case "0.0.0.0", "::", "0:0:0:0:0:0:0:0":
		return true
	}
	return false
}

// LoadDynamic reads a dynamic config file (dynamicConfigFile=...). Its
// version comes from the file name's hex suffix (zoo.cfg.dynamic.100000000),
// as in QuorumPeerConfig.getVersionFromFilename.
func LoadDynamic(path string) ([]Server, int64, []Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("config: dynamic config: %w", err)
	}
	defer f.Close()
	return ParseDynamic(f, path)
}

// ParseDynamic parses the contents of a dynamic config file named name.
// Like ZooKeeper it accepts only server.N (and group/weight) lines; a
// "version" line is an error ("dynamic file shouldn't have version inside":
// the version is the hex suffix of name, 0 when there is none).
func ParseDynamic(r io.Reader, name string) ([]Server, int64, []Warning, error) {
	entries, err := ReadProperties(r)
	if err != nil {
		return nil, 0, nil, &ParseError{File: name, Err: err}
	}
	var version int64
	for _, e := range entries {
		if e.Key == "version" {
			return nil, 0, nil, &ParseError{File: name, Line: e.Line, Key: "version", Err: errors.New("dynamic file shouldn't have version inside")}
		}
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if v, err := parseJavaLong(name[i+1:], 16); err == nil {
			if v < 0 {
				return nil, 0, nil, &ParseError{File: name, Err: fmt.Errorf("negative version suffix %q", name[i+1:])}
			}
			version = v
		}
	}
	var warns []Warning
	var servers []Server
	for _, e := range dedupe(entries, name, &warns) {
		key, value := javaTrim(e.Key), javaTrim(e.Value)
		switch {
		case strings.HasPrefix(key, "server."):
			s, err := parseServerEntry(key, value)
			if err != nil {
				return nil, 0, nil, &ParseError{File: name, Line: e.Line, Key: key, Err: err}
			}
			servers = append(servers, s)
		case strings.HasPrefix(key, "group"), strings.HasPrefix(key, "weight"):
			warns = append(warns, hierarchicalWarning(name, e.Line, key))
		default:
			return nil, 0, nil, &ParseError{File: name, Line: e.Line, Key: key, Err: fmt.Errorf("unrecognised parameter: %s", key)}
		}
	}
	sortServers(servers)
	return servers, version, warns, nil
}

func hierarchicalWarning(file string, line int, key string) Warning {
	return Warning{File: file, Line: line, Key: key, Kind: WarnNotUsed,
		Reason: "hierarchical quorums (group/weight) are not supported; raftzk uses a majority of the participants"}
}

func parseServerEntry(key, value string) (Server, error) {
	idStr := key[strings.IndexByte(key, '.')+1:]
	id, err := parseJavaLong(idStr, 10)
	if err != nil {
		return Server{}, fmt.Errorf("invalid server id %q", idStr)
	}
	return ParseServer(id, value)
}

// dedupe keeps the last entry of each key, as java.util.Properties does, in
// the order of the surviving entries, and warns about the others.
func dedupe(entries []Entry, source string, warns *[]Warning) []Entry {
	last := map[string]int{}
	for i, e := range entries {
		last[e.Key] = i
	}
	out := entries[:0:0]
	for i, e := range entries {
		if j := last[e.Key]; j != i {
			*warns = append(*warns, Warning{File: source, Line: e.Line, Key: e.Key, Kind: WarnNotice,
				Reason: fmt.Sprintf("duplicate key; the value on line %d wins", entries[j].Line)})
			continue
		}
		out = append(out, e)
	}
	return out
}

type parser struct {
	c      *Config
	source string
	warns  []Warning
	lines  map[string]int // trimmed key -> line
}

func (p *parser) warn(line int, key string, kind WarningKind, format string, args ...any) {
	p.warns = append(p.warns, Warning{File: p.source, Line: line, Key: key, Kind: kind, Reason: fmt.Sprintf(format, args...)})
}

func (p *parser) fail(line int, key string, err error) error {
	return &ParseError{File: p.source, Line: line, Key: key, Err: err}
}

func (p *parser) run(all []Entry) error {
	c := p.c
	entries := dedupe(all, p.source, &p.warns)
	hasDynamic := false
	for _, e := range entries {
		if e.Key == "dynamicConfigFile" {
			hasDynamic = true
		}
	}
	var serverEntries []Entry
	for _, e := range entries {
		key, value := javaTrim(e.Key), javaTrim(e.Value)
		p.lines[key] = e.Line
		var err error
		intField := func(dst *int) {
			var n int32
			if n, err = parseJavaInt(value); err == nil {
				*dst = int(n)
			}
		}
		boolField := func(dst *bool) {
			switch {
			case strings.EqualFold(value, "true"):
				*dst = true
			case strings.EqualFold(value, "false"):
				*dst = false
			default:
				err = fmt.Errorf("invalid option %s for %s. Choose 'true' or 'false.'", value, key)
			}
		}
		notUsed := func() {
			var dummyB bool
			var dummyI int
			switch key {
			case "localSessionsUpgradingEnabled", "syncEnabled", "sslQuorum", "portUnification",
				"sslQuorumReloadCertFiles", "quorum.auth.enableSasl", "quorum.auth.serverRequireSasl",
				"quorum.auth.learnerRequireSasl", "jvm.pause.monitor", "multiAddress.reachabilityCheckEnabled":
				boolField(&dummyB)
			case "connectToLearnerMasterLimit", "observerMasterPort", "quorum.cnxn.threads.size",
				"multiAddress.reachabilityCheckTimeoutMs":
				intField(&dummyI)
			}
			if err == nil {
				p.warn(e.Line, key, WarnNotUsed, "a ZooKeeper setting raftzk accepts but does not act on")
			}
		}
		switch key {
		case "dataDir":
			c.DataDir = value
			p.checkRelative(e.Line, key, value)
		case "dataLogDir":
			c.DataLogDir = value
			p.checkRelative(e.Line, key, value)
		case "clientPort":
			intField(&c.ClientPort)
		case "clientPortAddress":
			c.ClientPortAddress = value
		case "secureClientPort":
			intField(&c.SecureClientPort)
			if err == nil && c.SecureClientPort != 0 {
				p.warn(e.Line, key, WarnNotUsed, "TLS client connections are not implemented yet; no secure listener is opened")
			}
		case "secureClientPortAddress":
			c.SecureClientPortAddress = value
		case "clientPortListenBacklog":
			intField(&c.ClientPortListenBacklog)
		case "tickTime":
			intField(&c.TickTime)
		case "maxClientCnxns":
			intField(&c.MaxClientCnxns)
		case "minSessionTimeout":
			intField(&c.MinSessionTimeout)
		case "maxSessionTimeout":
			intField(&c.MaxSessionTimeout)
		case "initLimit":
			intField(&c.InitLimit)
		case "syncLimit":
			intField(&c.SyncLimit)
		case "electionAlg":
			intField(&c.ElectionAlg)
			if err == nil && c.ElectionAlg != DefaultElectionAlg {
				err = errors.New("invalid electionAlg value. Only 3 is supported")
			}
		case "quorumListenOnAllIPs":
			boolField(&c.QuorumListenOnAllIPs)
		case "peerType":
			c.PeerType, err = parsePeerType(value)
		case "dynamicConfigFile":
			c.DynamicConfigFile = value
			p.checkRelative(e.Line, key, value)
		case "autopurge.snapRetainCount":
			intField(&c.AutopurgeSnapRetainCount)
		case "autopurge.purgeInterval":
			intField(&c.AutopurgePurgeInterval)
			if err == nil && c.AutopurgePurgeInterval != 0 {
				p.warn(e.Line, key, WarnNotUsed, "raftzk purges old snapshots (keeping autopurge.snapRetainCount) whenever it takes one; the interval is not used")
			}
		case "standaloneEnabled":
			boolField(&c.StandaloneEnabled)
		case "reconfigEnabled":
			boolField(&c.ReconfigEnabled)
		case "multiAddress.enabled":
			boolField(&c.MultiAddressEnabled)
		case "localSessionsEnabled":
			boolField(&c.LocalSessionsEnabled)
			if err == nil && c.LocalSessionsEnabled {
				p.warn(e.Line, key, WarnNotUsed, "local sessions are not implemented; every session is global")
			}
		case "metricsProvider.className":
			c.Metrics.ClassName = value
			switch value {
			case DefaultMetricsProviderClassName, "org.apache.zookeeper.metrics.impl.NullMetricsProvider":
			case PrometheusMetricsProviderClass:
				p.warn(e.Line, key, WarnNotUsed, "the Prometheus endpoint is not implemented yet; metrics are served by mntr")
			default:
				p.warn(e.Line, key, WarnNotUsed, "raftzk cannot load Java class %s; it serves its built-in metrics", value)
			}
		case "localSessionsUpgradingEnabled", "connectToLearnerMasterLimit", "syncEnabled",
			"observerMasterPort", "sslQuorum", "portUnification", "sslQuorumReloadCertFiles",
			"quorum.auth.enableSasl", "quorum.auth.serverRequireSasl", "quorum.auth.learnerRequireSasl",
			"quorum.auth.learner.saslLoginContext", "quorum.auth.server.saslLoginContext",
			"quorum.auth.kerberos.servicePrincipal", "quorum.cnxn.threads.size",
			"jvm.pause.info-threshold.ms", "jvm.pause.warn-threshold.ms", "jvm.pause.sleep.time.ms",
			"jvm.pause.monitor", "multiAddress.reachabilityCheckTimeoutMs",
			"multiAddress.reachabilityCheckEnabled", "oraclePath":
			notUsed()
		default:
			switch {
			case strings.HasPrefix(key, "metricsProvider."):
				c.Metrics.Options[key[len("metricsProvider."):]] = value
			case strings.HasPrefix(key, "server."), strings.HasPrefix(key, "group"), strings.HasPrefix(key, "weight"):
				if hasDynamic {
					err = fmt.Errorf("parameter: %s must be in a separate dynamic config file", key)
					break
				}
				serverEntries = append(serverEntries, Entry{Key: key, Value: value, Line: e.Line})
			case key == "version" && !hasDynamic:
				serverEntries = append(serverEntries, Entry{Key: key, Value: value, Line: e.Line})
			default:
				p.systemProperty(e.Line, key, value)
			}
		}
		if err != nil {
			return p.fail(e.Line, key, err)
		}
	}
	if c.AutopurgeSnapRetainCount < MinSnapRetainCount {
		p.warn(p.lines["autopurge.snapRetainCount"], "autopurge.snapRetainCount", WarnNotice,
			"invalid autopurge.snapRetainCount: %d; defaulting to %d", c.AutopurgeSnapRetainCount, MinSnapRetainCount)
		c.AutopurgeSnapRetainCount = MinSnapRetainCount
	}
	if c.DataLogDir == "" {
		c.DataLogDir = c.DataDir
	}
	c.MinSessionTimeout, c.MaxSessionTimeout = c.SessionTimeouts()
	if err := p.metrics(); err != nil {
		return err
	}
	for _, e := range serverEntries {
		switch {
		case strings.HasPrefix(e.Key, "server."):
			s, err := parseServerEntry(e.Key, e.Value)
			if err != nil {
				return p.fail(e.Line, e.Key, err)
			}
			c.Servers = append(c.Servers, s)
		case e.Key == "version":
			v, err := parseJavaLong(e.Value, 16)
			if err != nil {
				return p.fail(e.Line, e.Key, err)
			}
			c.ConfigVersion = v
		default:
			p.warns = append(p.warns, hierarchicalWarning(p.source, e.Line, e.Key))
		}
	}
	sortServers(c.Servers)
	p.warns = append(p.warns, c.serverWarnings(p.source)...)
	p.warns = append(p.warns, c.applyProperties(nil)...)
	return nil
}

// metrics types the metricsProvider options the Prometheus provider reads
// (PrometheusMetricsProvider.configure); a malformed port fails startup only
// when that provider is selected.
func (p *parser) metrics() error {
	m := &p.c.Metrics
	if v, ok := m.Options["httpHost"]; ok {
		m.HTTPHost = v
	}
	if v, ok := m.Options["httpPort"]; ok {
		n, err := parseJavaInt(v)
		switch {
		case err == nil:
			m.HTTPPort = int(n)
		case m.Prometheus():
			return p.fail(0, "metricsProvider.httpPort", err)
		}
	}
	if v, ok := m.Options["exportJvmInfo"]; ok {
		m.ExportJVMInfo = strings.EqualFold(v, "true")
	}
	return nil
}

// serverWarnings mirrors the log lines of QuorumPeerConfig.parseDynamicConfig.
func (c *Config) serverWarnings(source string) []Warning {
	n := len(c.Participants())
	switch {
	case len(c.Servers) == 0:
		return nil
	case n == 1 && c.StandaloneEnabled:
		return []Warning{{File: source, Key: "server.N", Kind: WarnNotice,
			Reason: "only one participant and standaloneEnabled=true: running standalone, the server list is ignored"}}
	case n > 0 && n <= 2:
		return []Warning{{File: source, Key: "server.N", Kind: WarnNotice,
			Reason: "no server failure will be tolerated; you need at least 3 servers"}}
	case n > 0 && n%2 == 0:
		return []Warning{{File: source, Key: "server.N", Kind: WarnNotice,
			Reason: "non-optimal configuration, consider an odd number of servers"}}
	}
	return nil
}

// checkRelative mirrors VerifyingFileFactory.warnForRelativePath.
func (p *parser) checkRelative(line int, key, path string) {
	if path != "" && !filepath.IsAbs(path) && !strings.HasPrefix(path, "./") {
		p.warn(line, key, WarnNotice, "%s is relative (to the working directory); prepend ./ to indicate that you're sure", path)
	}
}

// systemProperty handles a key QuorumPeerConfig does not parse: ZooKeeper
// calls System.setProperty("zookeeper."+key, value).
func (p *parser) systemProperty(line int, key, value string) {
	name := zkPrefix + key
	p.c.FileProperties[name] = value
	p.c.fileLines[name] = line
	kind, reason := classifyPropertyKey(key)
	if kind != 0 {
		p.warn(line, key, kind, "%s", reason)
	}
}

// honouredFileKeys are the zoo.cfg keys, turned into zookeeper.* properties,
// that raftzk acts on.
var honouredFileKeys = map[string]bool{
	"4lw.commands.whitelist":                   true,
	"admin.enableServer":                       true,
	"admin.serverAddress":                      true,
	"admin.serverPort":                         true,
	"admin.commandURL":                         true,
	"admin.idleTimeout":                        true,
	"snapCount":                                true,
	"globalOutstandingLimit":                   true,
	"skipACL":                                  true,
	"extendedTypesEnabled":                     true,
	"DigestAuthenticationProvider.superDigest": true,
	"DigestAuthenticationProvider.enabled":     true,
	"enforceQuota":                             true,
	"maxCnxns":                                 true,
	"nio.sessionlessCnxnTimeout":               true,
}

// knownFileKeys are other system properties ZooKeeper reads as
// zookeeper.<key>, so they are legitimate in zoo.cfg; raftzk ignores them.
var knownFileKeys = map[string]bool{
	"preAllocSize": true, "snapSizeLimitInKb": true, "commitLogCount": true,
	"txnLogSizeLimitInKb": true, "forceSync": true, "fsync.warningthresholdms": true,
	"serverCnxnFactory": true, "emulate353TTLNodes": true, "digest.enabled": true,
	"snapshot.compression.method": true, "serializeLastProcessedZxid.enabled": true,
	"closeSessionTxn.enabled": true, "flushDelay": true, "maxWriteQueuePollTime": true,
	"maxBatchSize": true, "maxResponseCacheSize": true, "maxGetChildrenResponseCacheSize": true,
	"largeRequestMaxBytes": true, "largeRequestThreshold": true, "outstandingHandshake.limit": true,
	"watchManagerName": true, "watcherCleanThreshold": true, "watcherCleanIntervalInSeconds": true,
	"watcherCleanThreadsNum": true, "cnxTimeout": true, "tcpKeepAlive": true,
	"clientTcpKeepAlive": true, "electionPortBindRetry": true, "superUser": true,
	"allowSaslFailedClients": true, "sessionRequireClientSASLAuth": true,
	"enforce.auth.enabled": true, "enforce.auth.schemes": true, "ensembleAuthName": true,
	"leaderServes": true, "enableEagerACLCheck": true, "throttledOpWaitTime": true,
	"datadir.autocreate": true, "db.autocreate": true, "snapshot.trust.empty": true,
	"jmx.log4j.disable": true, "jute.maxbuffer.extrasize": true, "fips-mode": true,
	"clientCnxnSocket": true, "client.secure": true, "sasl.client.canonicalize.hostname": true,
	"request_throttle_max_requests": true, "request_throttle_stall_time": true,
	"request_throttle_drop_stale": true, "request_stale_latency_check": true,
	"request_stale_connection_check": true, "requestThrottleLimit": true,
	"version": true, "quorumCnxnTimeoutMs": true,
	"digest.log.enabled": true, "audit.enable": true, "audit.impl.class": true,
	"X509AuthenticationProvider.superUser": true, "DigestAuthenticationProvider.digestAlg": true,
	"kerberos.removeHostFromPrincipal": true, "kerberos.removeRealmFromPrincipal": true,
	"netty.advancedFlowControl.enabled": true, "nio.numSelectorThreads": true,
	"nio.numWorkerThreads": true, "nio.directBufferBytes": true, "nio.shutdownTimeout": true,
	"commitProcessor.numWorkerThreads": true, "commitProcessor.shutdownTimeout": true,
	"commitProcessor.maxReadBatchSize": true, "commitProcessor.maxCommitBatchSize": true,
}

// knownFilePrefixes are families of zookeeper.* properties.
var knownFilePrefixes = []string{
	"ssl.", "authProvider.", "connection_throttle_", "learner.", "leader.",
	"fastleader.", "observer.", "admin.", "messageTracker.", "follower.",
	"syncRequestProcessor.", "sessionTracker.",
}

// jvmOnlyPrefixes are properties the JVM reads without the zookeeper.
// prefix; written into zoo.cfg they change nothing.
var jvmOnlyPrefixes = []string{
	"jute.maxbuffer", "readonlymode.", "znode.container.", "java.",
	"javax.", "sun.", "jdk.", "log4j", "com.sun.",
}

func classifyPropertyKey(key string) (WarningKind, string) {
	if honouredFileKeys[key] {
		return 0, ""
	}
	if knownFileKeys[key] {
		return WarnNotUsed, "a ZooKeeper setting (system property zookeeper." + key + ") raftzk accepts but does not act on"
	}
	if rest, ok := strings.CutPrefix(key, zkPrefix); ok {
		return WarnIneffective, fmt.Sprintf("ZooKeeper turns it into system property zookeeper.%s, which nothing reads; write %s=... without the zookeeper. prefix", key, rest)
	}
	for _, pre := range jvmOnlyPrefixes {
		if strings.HasPrefix(key, pre) {
			return WarnIneffective, fmt.Sprintf("ZooKeeper turns it into system property zookeeper.%s, which nothing reads; pass -D%s=... in SERVER_JVMFLAGS instead", key, key)
		}
	}
	for _, pre := range knownFilePrefixes {
		if strings.HasPrefix(key, pre) {
			return WarnNotUsed, "a ZooKeeper setting (system property zookeeper." + key + ") raftzk accepts but does not act on"
		}
	}
	return WarnUnknown, "not a ZooKeeper setting; ZooKeeper would set system property zookeeper." + key + ", which nothing reads"
}
