// Package zkproc starts a standalone Apache ZooKeeper (the Debian package's
// jars) on 127.0.0.1 for tests, with a private data directory, and stops it by
// pid. It is a stopgap for tests of zkraw and the differential runner; the
// shared compat-tests/harness package is the general tool.
package zkproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SuperDigest is the super user's digest for password "secret".
const SuperDigest = "super:lK75jTNcA+U9vtVEw5vB51mj/w4="

// Options configure Start.
type Options struct {
	TickTime       int      // ms, default 200
	ContainerCheck int      // znode.container.checkIntervalMs, default 100
	ExtraProps     []string // more -D flags, "key=value"
}

// Server is one running ZooKeeper process.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

const javaDir = "/usr/share/java"

var jars = []string{"zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar",
	"netty-handler.jar", "netty-common.jar", "netty-buffer.jar", "netty-transport.jar",
	"netty-codec.jar", "netty-resolver.jar", "netty-transport-native-epoll.jar",
	"netty-transport-native-unix-common.jar", "commons-cli.jar", "metrics-core.jar",
	"snappy-java.jar", "commons-io.jar"}

// Available reports whether java and the ZooKeeper jar are installed.
func Available() error {
	if _, err := exec.LookPath("java"); err != nil {
		return err
	}
	_, err := os.Stat(filepath.Join(javaDir, "zookeeper.jar"))
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts a server and registers its shutdown with t.Cleanup. It skips
// the test when ZooKeeper is not installed.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("Apache ZooKeeper not installed: %v", err)
	}
	s, err := Launch(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a server with its data directory under dir.
func Launch(dir string, opt Options) (*Server, error) {
	if opt.TickTime == 0 {
		opt.TickTime = 200
	}
	if opt.ContainerCheck == 0 {
		opt.ContainerCheck = 100
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf("tickTime=%d\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"+
		"admin.enableServer=false\n4lw.commands.whitelist=*\nmaxClientCnxns=0\n",
		opt.TickTime, data, port)
	cfgPath := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cp := make([]string, len(jars))
	for i, j := range jars {
		cp[i] = filepath.Join(javaDir, j)
	}
	args := []string{"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-cp", strings.Join(cp, ":"),
		"-Dzookeeper.extendedTypesEnabled=true",
		fmt.Sprintf("-Dznode.container.checkIntervalMs=%d", opt.ContainerCheck),
		"-Dzookeeper.DigestAuthenticationProvider.superDigest=" + SuperDigest,
		"-Dzookeeper.admin.enableServer=false",
	}
	for _, p := range opt.ExtraProps {
		args = append(args, "-D"+p)
	}
	args = append(args, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath)
	cmd := exec.Command("java", args...)
	logf, err := os.Create(filepath.Join(dir, "zookeeper.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(s.done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		// ruok answers before the server is up; srvr reports "Mode:" only
		// once it serves requests.
		out, err := fourLW(s.Addr, "srvr")
		if err == nil && strings.Contains(out, "Mode:") {
			return s, nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(dir, "zookeeper.log"))
			return nil, fmt.Errorf("zookeeper exited: %s", log)
		case <-ctx.Done():
			s.Stop()
			return nil, errors.New("zookeeper did not start within 30s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func fourLW(addr, cmd string) (string, error) {
	nc, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := nc.Write([]byte(cmd)); err != nil {
		return "", err
	}
	b := make([]byte, 4096)
	n, _ := nc.Read(b)
	return string(b[:n]), nil
}

// Stop kills the process (by pid) and waits for it.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// LogPath returns the server's log file.
func (s *Server) LogPath() string { return filepath.Join(s.dir, "zookeeper.log") }
