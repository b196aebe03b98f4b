package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, in string) (*Config, []Warning) {
	t.Helper()
	c, warns, err := Parse(strings.NewReader(in), "zoo.cfg")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c, warns
}

func warningKeys(ws []Warning, kind WarningKind) []string {
	var out []string
	for _, w := range ws {
		if w.Kind == kind {
			out = append(out, w.Key)
		}
	}
	return out
}

// summary is the part of a Config the real-world table checks.
type summary struct {
	TickTime, ClientPort, MaxClientCnxns, MinSession, MaxSession int
	InitLimit, SyncLimit                                         int
	DataDir, DataLogDir                                          string
	Standalone                                                   bool
	Servers                                                      []string
	FourLetterWords                                              []string
	AdminEnabled                                                 bool
	AdminPort                                                    int
	SnapRetain, PurgeInterval                                    int
	Metrics                                                      string
	MetricsPort                                                  int
}

func summarize(c *Config) summary {
	s := summary{
		TickTime: c.TickTime, ClientPort: c.ClientPort, MaxClientCnxns: c.MaxClientCnxns,
		MinSession: c.MinSessionTimeout, MaxSession: c.MaxSessionTimeout,
		InitLimit: c.InitLimit, SyncLimit: c.SyncLimit,
		DataDir: c.DataDir, DataLogDir: c.DataLogDir, Standalone: c.IsStandalone(),
		FourLetterWords: c.FourLetterWords.List(), AdminEnabled: c.Admin.Enabled,
		AdminPort: c.Admin.ServerPort, SnapRetain: c.AutopurgeSnapRetainCount,
		PurgeInterval: c.AutopurgePurgeInterval, Metrics: c.Metrics.ClassName,
		MetricsPort: c.Metrics.HTTPPort,
	}
	for _, sv := range c.Servers {
		s.Servers = append(s.Servers, sv.String())
	}
	return s
}

func TestParse_RealWorld(t *testing.T) {
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct {
		name string
		in   string
		want summary
		// warnings by kind
		unknown, notUsed []string
	}{
		{
			name: "debian sample zoo.cfg",
			in:   read("debian-zoo.cfg"),
			want: summary{TickTime: 2000, ClientPort: 2181, MaxClientCnxns: 60, MinSession: 4000, MaxSession: 40000,
				InitLimit: 10, SyncLimit: 5, DataDir: "/tmp/zookeeper", DataLogDir: "/tmp/zookeeper", Standalone: true,
				FourLetterWords: []string{"srvr"}, AdminEnabled: true, AdminPort: 8080, SnapRetain: 3,
				Metrics: DefaultMetricsProviderClassName, MetricsPort: 7000},
		},
		{
			name: "kafka config/zookeeper.properties",
			in:   read("kafka-zookeeper.properties"),
			want: summary{TickTime: 3000, ClientPort: 2181, MaxClientCnxns: 0, MinSession: 6000, MaxSession: 60000,
				DataDir: "/tmp/zookeeper", DataLogDir: "/tmp/zookeeper", Standalone: true,
				FourLetterWords: []string{"srvr"}, AdminEnabled: false, AdminPort: 8080, SnapRetain: 3,
				Metrics: DefaultMetricsProviderClassName, MetricsPort: 7000},
		},
		{
			name: "ensemble with observers and client ports",
			in:   read("ensemble.cfg"),
			want: summary{TickTime: 2000, ClientPort: 2181, MaxClientCnxns: 60, MinSession: 4000, MaxSession: 40000,
				InitLimit: 10, SyncLimit: 5, DataDir: "/var/lib/zookeeper", DataLogDir: "/var/lib/zookeeper",
				Standalone: false,
				Servers: []string{
					"zk1.example.com:2888:3888:participant",
					"zk2.example.com:2888:3888:participant;0.0.0.0:2181",
					"zk3.example.com:2888:3888:participant;10.0.0.3:2181",
					"zk4.example.com:2888:3888:observer;0.0.0.0:2181",
					"[2001:db8::5]:2888:3888:observer",
				},
				FourLetterWords: []string{"conf", "mntr", "ruok", "srvr"}, AdminEnabled: true, AdminPort: 9090,
				SnapRetain: 5, PurgeInterval: 24, Metrics: PrometheusMetricsProviderClass, MetricsPort: 7001},
			notUsed: []string{"autopurge.purgeInterval", "metricsProvider.className"},
		},
		{
			name: "colon and space separators, explicit session bounds, dataLogDir",
			in: "tickTime 1000\nclientPort: 2182\ndataDir = /data\ndataLogDir=/log\n" +
				"minSessionTimeout=1500\nmaxSessionTimeout=90000\n4lw.commands.whitelist=*\n",
			want: summary{TickTime: 1000, ClientPort: 2182, MaxClientCnxns: 60, MinSession: 1500, MaxSession: 90000,
				DataDir: "/data", DataLogDir: "/log", Standalone: true,
				FourLetterWords: KnownFourLetterWords(), AdminEnabled: true, AdminPort: 8080, SnapRetain: 3,
				Metrics: DefaultMetricsProviderClassName, MetricsPort: 7000},
		},
		{
			name: "one server line with standaloneEnabled is standalone (HBase style)",
			in:   "dataDir=/d\nclientPort=2181\nserver.1=localhost:2888:3888\n",
			want: summary{TickTime: 3000, ClientPort: 2181, MaxClientCnxns: 60, MinSession: 6000, MaxSession: 60000,
				DataDir: "/d", DataLogDir: "/d", Standalone: true,
				Servers:         []string{"localhost:2888:3888:participant"},
				FourLetterWords: []string{"srvr"}, AdminEnabled: true, AdminPort: 8080, SnapRetain: 3,
				Metrics: DefaultMetricsProviderClassName, MetricsPort: 7000},
		},
		{
			name: "unknown, not used and ineffective keys",
			in: "dataDir=/d\nclientPort=2181\nsnapCount=5000\npreAllocSize=1024\nclientPortt=1\n" +
				"jute.maxbuffer=4194304\nsyncEnabled=true\nautopurge.snapRetainCount=1\n",
			want: summary{TickTime: 3000, ClientPort: 2181, MaxClientCnxns: 60, MinSession: 6000, MaxSession: 60000,
				DataDir: "/d", DataLogDir: "/d", Standalone: true,
				FourLetterWords: []string{"srvr"}, AdminEnabled: true, AdminPort: 8080, SnapRetain: 3,
				Metrics: DefaultMetricsProviderClassName, MetricsPort: 7000},
			unknown: []string{"clientPortt"},
			notUsed: []string{"preAllocSize", "syncEnabled"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, warns := mustParse(t, tc.in)
			if got := summarize(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if got := warningKeys(warns, WarnUnknown); !reflect.DeepEqual(got, tc.unknown) {
				t.Errorf("unknown warnings %q, want %q (all: %v)", got, tc.unknown, warns)
			}
			if got := warningKeys(warns, WarnNotUsed); !reflect.DeepEqual(got, tc.notUsed) {
				t.Errorf("not-used warnings %q, want %q (all: %v)", got, tc.notUsed, warns)
			}
			if err := c.Validate(); err != nil && c.IsStandalone() {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestParse_DebianInstalled(t *testing.T) {
	const path = "/etc/zookeeper/conf/zoo.cfg"
	if _, err := os.Stat(path); err != nil {
		t.Skip("no Debian zookeeper package installed")
	}
	c, warns, err := Parse(mustOpen(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir == "" || c.TickTime <= 0 {
		t.Errorf("implausible config %+v", c)
	}
	for _, w := range warns {
		if w.Kind == WarnUnknown {
			t.Errorf("unexpected warning %v", w)
		}
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParse_Warnings(t *testing.T) {
	in := "dataDir=/d\n" +
		"clientPort=2181\n" +
		"clientPort=2182\n" + // duplicate: line 2 loses
		"jute.maxbuffer=1\n" +
		"zookeeper.skipACL=yes\n" +
		"readonlymode.enabled=true\n" +
		"foo.bar=1\n" +
		"ssl.keyStore.location=/k\n" +
		"snapCount=1\n" +
		"4lw.commands.whitelist=ruok,nope\n" +
		"autopurge.snapRetainCount=2\n"
	c, warns := mustParse(t, in)
	type kw struct {
		Line int
		Key  string
		Kind WarningKind
	}
	var got []kw
	for _, w := range warns {
		got = append(got, kw{w.Line, w.Key, w.Kind})
		if w.String() == "" || !strings.HasPrefix(w.String(), "zoo.cfg") {
			t.Errorf("warning string %q", w.String())
		}
	}
	want := []kw{
		{2, "clientPort", WarnNotice},
		{4, "jute.maxbuffer", WarnIneffective},
		{5, "zookeeper.skipACL", WarnIneffective},
		{6, "readonlymode.enabled", WarnIneffective},
		{7, "foo.bar", WarnUnknown},
		{8, "ssl.keyStore.location", WarnNotUsed},
		{11, "autopurge.snapRetainCount", WarnNotice},
		{9, PropSnapCount, WarnNotice},
		{10, PropFourLetterWhitelist, WarnNotice},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n got  %+v\n want %+v\n%v", got, want, warns)
	}
	if c.ClientPort != 2182 || c.JuteMaxBuffer != DefaultJuteMaxBuffer || c.SkipACL || c.ReadOnlyModeEnabled ||
		c.SnapCount != 2 || c.AutopurgeSnapRetainCount != 3 {
		t.Errorf("values: %+v", c)
	}
	if c.FileProperties["zookeeper.foo.bar"] != "1" || c.FileProperties["zookeeper.jute.maxbuffer"] != "1" {
		t.Errorf("FileProperties = %v", c.FileProperties)
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad int", "clientPort=21a", `zoo.cfg:1: clientPort: for input string: "21a"`},
		{"int overflow", "tickTime=3000000000", "tickTime"},
		{"bad bool", "standaloneEnabled=yes", "invalid option yes for standaloneEnabled"},
		{"bad bool in unused key", "syncEnabled=1", "invalid option 1 for syncEnabled"},
		{"electionAlg", "electionAlg=0", "Only 3 is supported"},
		{"peerType", "peerType=leader", "unrecognised peertype: leader"},
		{"malformed escape", `dataDir=C:\users`, "malformed"},
		{"server id", "server.a=h:1:2", `invalid server id "a"`},
		{"server too few parts", "server.1=h:2888", "does not have the form"},
		{"server too many parts", "server.1=h:1:2:observer:x", "does not have the form"},
		{"server equal ports", "server.1=h:2888:2888", "quorum and election port must be different"},
		{"server bad port", "server.1=h:x:3888", "address unresolved: h:x"},
		{"server port range", "server.1=h:70000:3888", "address unresolved"},
		{"server bad type", "server.1=h:1:2:voter", "unrecognised peertype: voter"},
		{"server mixed roles", "server.1=h:1:2:observer|g:1:2:participant", "similar roles"},
		{"server two client parts", "server.1=h:1:2;2181;2182", "does not have the form"},
		{"server bad client", "server.1=h:1:2;a:b:c", "does not have the form"},
		{"server bad client port", "server.1=h:1:2;x", "address unresolved: 0.0.0.0:x"},
		{"server ipv6 no bracket end", "server.1=[::1:1:2", "no matching"},
		{"server.N with dynamic file", "dynamicConfigFile=/x\nserver.1=h:1:2", "must be in a separate dynamic config file"},
		{"version not hex", "version=xyz\nserver.1=h:1:2", "version"},
		{"prometheus bad port", "metricsProvider.className=" + PrometheusMetricsProviderClass + "\nmetricsProvider.httpPort=x", "httpPort"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(strings.NewReader(tc.in), "zoo.cfg")
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseServer(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Server
	}{
		{"plain", "h:2888:3888", Server{ID: 1, Addresses: []ServerAddress{{"h", 2888, 3888}}}},
		{"observer", "h:2888:3888:OBSERVER", Server{ID: 1, Addresses: []ServerAddress{{"h", 2888, 3888}}, Type: Observer}},
		{"client port only", "h:2888:3888;2181", Server{ID: 1, Addresses: []ServerAddress{{"h", 2888, 3888}}, ClientHost: "0.0.0.0", ClientPort: 2181}},
		{"client host", "h:2888:3888:participant;127.0.0.1:2181", Server{ID: 1, Addresses: []ServerAddress{{"h", 2888, 3888}}, ClientHost: "127.0.0.1", ClientPort: 2181}},
		{"ipv6", "[::1]:2888:3888;[::1]:2181", Server{ID: 1, Addresses: []ServerAddress{{"::1", 2888, 3888}}, ClientHost: "::1", ClientPort: 2181}},
		{"multi address", "a:1:2|b:3:4:observer", Server{ID: 1, Addresses: []ServerAddress{{"a", 1, 2}, {"b", 3, 4}}, Type: Observer}},
		{"trailing semicolon", "h:1:2;", Server{ID: 1, Addresses: []ServerAddress{{"h", 1, 2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseServer(1, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseDynamic(t *testing.T) {
	in := "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
		"server.2=127.0.0.2:2888:3888:participant;0.0.0.0:2181\n" +
		"server.3=127.0.0.3:2888:3888:observer;0.0.0.0:2181\n"
	t.Run("version from name", func(t *testing.T) {
		servers, version, warns, err := ParseDynamic(strings.NewReader(in), "/etc/zk/zoo.cfg.dynamic.100000000")
		if err != nil {
			t.Fatal(err)
		}
		if version != 0x100000000 || len(servers) != 3 || servers[2].Type != Observer || len(warns) != 0 {
			t.Errorf("version %x servers %+v warns %v", version, servers, warns)
		}
		if got := servers[0].String(); got != "127.0.0.1:2888:3888:participant;0.0.0.0:2181" {
			t.Errorf("String() = %q", got)
		}
	})
	t.Run("no version suffix", func(t *testing.T) {
		_, version, _, err := ParseDynamic(strings.NewReader(in), "zoo.cfg.dynamic")
		if err != nil || version != 0 {
			t.Errorf("version %d err %v", version, err)
		}
	})
	t.Run("version inside is an error", func(t *testing.T) {
		_, _, _, err := ParseDynamic(strings.NewReader(in+"version=100000000\n"), "zoo.cfg.dynamic.1")
		if err == nil || !strings.Contains(err.Error(), "shouldn't have version inside") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("other keys are an error", func(t *testing.T) {
		_, _, _, err := ParseDynamic(strings.NewReader(in+"clientPort=2181\n"), "zoo.cfg.dynamic.1")
		if err == nil || !strings.Contains(err.Error(), "unrecognised parameter: clientPort") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("group and weight warn", func(t *testing.T) {
		_, _, warns, err := ParseDynamic(strings.NewReader(in+"group.1=1:2:3\nweight.1=1\n"), "d")
		if err != nil || len(warningKeys(warns, WarnNotUsed)) != 2 {
			t.Errorf("warns %v err %v", warns, err)
		}
	})
}

func TestParse_VersionInStaticFile(t *testing.T) {
	c, _ := mustParse(t, "dataDir=/d\nserver.1=a:1:2\nserver.2=b:1:2\nserver.3=c:1:2\nversion=100000003\n")
	if c.ConfigVersion != 0x100000003 {
		t.Errorf("ConfigVersion = %x", c.ConfigVersion)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	dyn := filepath.Join(dir, "zoo.cfg.dynamic.100000000")
	writeFile(t, dyn, "server.1=127.0.0.1:2888:3888:participant;2181\n"+
		"server.2=127.0.0.2:2888:3888:participant;2181\n"+
		"server.3=127.0.0.3:2888:3888:observer;127.0.0.3:2191\n"+
		"server.4=127.0.0.4:2888:3888:participant;2181\n")
	cfg := filepath.Join(dir, "zoo.cfg")
	writeFile(t, cfg, "tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir="+dataDir+
		"\nreconfigEnabled=true\nstandaloneEnabled=false\ndynamicConfigFile="+dyn+"\n")

	t.Run("myid missing", func(t *testing.T) {
		c, _, err := Load(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if c.MyID != UnsetServerID || c.ConfigVersion != 0x100000000 || len(c.Servers) != 4 || c.IsStandalone() {
			t.Errorf("config %+v", c)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "myid file is missing") {
			t.Errorf("Validate = %v", err)
		}
	})
	t.Run("observer myid", func(t *testing.T) {
		writeFile(t, filepath.Join(dataDir, "myid"), "3\n")
		c, warns, err := Load(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if c.MyID != 3 || c.PeerType != Observer || c.ClientPort != 2191 || c.ClientPortAddress != "127.0.0.3" {
			t.Errorf("MyID %d PeerType %v client %s:%d", c.MyID, c.PeerType, c.ClientPortAddress, c.ClientPort)
		}
		if !reflect.DeepEqual(warningKeys(warns, WarnNotice), []string{"peerType"}) {
			t.Errorf("warnings %v", warns)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
	t.Run("bad myid", func(t *testing.T) {
		writeFile(t, filepath.Join(dataDir, "myid"), " 3\n")
		if _, _, err := Load(cfg); err == nil || !strings.Contains(err.Error(), "serverid  3 is not a number") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, _, err := Load(filepath.Join(dir, "nope.cfg")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("missing dynamic file", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.cfg")
		writeFile(t, bad, "dataDir=/d\ndynamicConfigFile="+filepath.Join(dir, "nope")+"\n")
		if _, _, err := Load(bad); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestReadMyID(t *testing.T) {
	tests := []struct {
		name, data string
		want       int64
		err        bool
	}{
		{"plain", "1", 1, false},
		{"newline", "42\n", 42, false},
		{"crlf", "7\r\n", 7, false},
		{"more lines", "5\nignored", 5, false},
		{"plus sign", "+5", 5, false},
		{"empty", "", UnsetServerID, true},
		{"space", "1 \n", UnsetServerID, true},
		{"debian placeholder", "replace this text with the cluster-unique zookeeper's instance id (1-255)\n", UnsetServerID, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "myid"), tc.data)
			got, err := ReadMyID(dir)
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("ReadMyID = %d, %v; want %d, err %v", got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := ReadMyID(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing myid: err = %v", err)
	}
}

func TestApplyMyID(t *testing.T) {
	base := "dataDir=/d\ninitLimit=5\nsyncLimit=2\n" +
		"server.1=a:1:2;10.0.0.1:2181\nserver.2=b:1:2\nserver.3=c:1:2\n"
	t.Run("client address from server line", func(t *testing.T) {
		c, _ := mustParse(t, base)
		if _, err := c.ApplyMyID(1); err != nil {
			t.Fatal(err)
		}
		if c.ClientPort != 2181 || c.ClientPortAddress != "10.0.0.1" {
			t.Errorf("client %s:%d", c.ClientPortAddress, c.ClientPort)
		}
	})
	t.Run("static client port fills server line", func(t *testing.T) {
		c, _ := mustParse(t, base+"clientPort=2182\n")
		if _, err := c.ApplyMyID(2); err != nil {
			t.Fatal(err)
		}
		if s, _ := c.Server(2); s.ClientPort != 2182 || s.ClientHost != "0.0.0.0" {
			t.Errorf("server 2 = %+v", s)
		}
	})
	t.Run("conflict", func(t *testing.T) {
		c, _ := mustParse(t, base+"clientPort=2182\n")
		if _, err := c.ApplyMyID(1); err == nil || !strings.Contains(err.Error(), "is different from client address") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wildcard same port is fine", func(t *testing.T) {
		c, _ := mustParse(t, base+"clientPort=2181\nclientPortAddress=0.0.0.0\n")
		if _, err := c.ApplyMyID(1); err != nil {
			t.Errorf("err = %v", err)
		}
	})
}

func TestApplyProperties(t *testing.T) {
	c, _ := mustParse(t, "dataDir=/d\nclientPort=2181\nsnapCount=5000\nskipACL=yes\n4lw.commands.whitelist=ruok\n")
	if c.SnapCount != 5000 || !c.SkipACL || !c.FourLetterWords.Enabled("ruok") {
		t.Fatalf("zoo.cfg-derived values not applied: %+v", c)
	}
	jvm := ParseJVMFlags("-Djute.maxbuffer=0x400000 -Dzookeeper.snapCount=7000 -Dreadonlymode.enabled=true " +
		"-Dznode.container.checkIntervalMs=500 -Dzookeeper.extendedTypesEnabled=true " +
		"-Dzookeeper.DigestAuthenticationProvider.superDigest=super:xyz -Dzookeeper.maxCnxns=bad")
	explicit := Properties{"zookeeper.snapCount": "9000"}
	warns := c.ApplyProperties(Merge(jvm, explicit))
	if c.JuteMaxBuffer != 0x400000 || c.SnapCount != 9000 || !c.ReadOnlyModeEnabled ||
		c.ContainerCheckInterval != 500*time.Millisecond || !c.ExtendedTypesEnabled ||
		c.SuperDigest != "super:xyz" || c.MaxCnxns != 0 || !c.SkipACL {
		t.Errorf("values: %+v", c)
	}
	if got := c.FourLetterWords.List(); !reflect.DeepEqual(got, []string{"isro", "ruok", "srvr"}) {
		t.Errorf("4lw = %v", got)
	}
	var reasons []string
	for _, w := range warns {
		reasons = append(reasons, w.Key)
	}
	if !reflect.DeepEqual(reasons, []string{"zookeeper.snapCount", "zookeeper.maxCnxns"}) {
		t.Errorf("warnings %v", warns)
	}
	if c.Properties["zookeeper.skipACL"] != "yes" || c.Properties["jute.maxbuffer"] != "0x400000" {
		t.Errorf("Properties = %v", c.Properties)
	}
	// Applying again with nothing resets to the zoo.cfg-derived values.
	c.ApplyProperties(nil)
	if c.SnapCount != 5000 || c.JuteMaxBuffer != DefaultJuteMaxBuffer || c.ReadOnlyModeEnabled {
		t.Errorf("not recomputed: %+v", c)
	}
}

func TestParseFourLetterWords(t *testing.T) {
	tests := []struct {
		name     string
		list     string
		set, ro  bool
		want     []string
		enabled  string
		disabled string
	}{
		{"unset", "", false, false, []string{"srvr"}, "srvr", "ruok"},
		{"unset read-only", "", false, true, []string{"isro", "srvr"}, "isro", "ruok"},
		{"list trimmed", " ruok , mntr,,", true, false, []string{"mntr", "ruok", "srvr"}, "mntr", "stat"},
		{"star", "*", true, false, KnownFourLetterWords(), "wchp", "xxxx"},
		{"star after words", "ruok, * ,bogus", true, false, KnownFourLetterWords(), "dump", "bogus"},
		{"empty set", "", true, false, []string{"srvr"}, "srvr", "ruok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := ParseFourLetterWords(tc.list, tc.set, tc.ro)
			if got := w.List(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("List = %v, want %v", got, tc.want)
			}
			if !w.Enabled(tc.enabled) || w.Enabled(tc.disabled) {
				t.Errorf("Enabled(%q)=%v Enabled(%q)=%v", tc.enabled, w.Enabled(tc.enabled), tc.disabled, w.Enabled(tc.disabled))
			}
		})
	}
}
