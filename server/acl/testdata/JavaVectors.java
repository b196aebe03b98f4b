// JavaVectors prints golden vectors for package acl from Apache ZooKeeper's own
// classes (Debian's zookeeper 3.8.0) on the local JDK. Regenerate with
//
//   java -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
//     server/acl/testdata/JavaVectors.java > server/acl/testdata/java_vectors.tsv
//
// Each line is: op, then hex-encoded arguments, then the hex-encoded result,
// tab-separated. The inputs are curated cases plus seeded random ones.
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.apache.zookeeper.server.auth.IPAuthenticationProvider;

public class JavaVectors {
    static final HexFormat HEX = HexFormat.of();
    static String h(String s) { return HEX.formatHex(s.getBytes(StandardCharsets.UTF_8)); }
    static String h(byte[] b) { return HEX.formatHex(b); }
    static void out(String... f) { System.out.println(String.join("\t", f)); }

    static final Random R = new Random(42);
    static final String[] ALPH = {"0", "1", "2", "9", "25", "255", "256", "00", "+1", "-0", "-1", ".", "/", ":", "a", "F",
        "\u0661", "\uff11", "\u0966", "\u096f", "\ud835\udfce", "x", "", "8", "32", "33", "1.2.3.4", "10.0.0.0", "\n", "\u2028", "\u00e9"};
    static String rnd(int max) {
        StringBuilder sb = new StringBuilder();
        int n = R.nextInt(max + 1);
        for (int i = 0; i < n; i++) sb.append(ALPH[R.nextInt(ALPH.length)]);
        return sb.toString();
    }
    static byte[] rndBytes(int max) {
        byte[] b = new byte[R.nextInt(max + 1)];
        byte[] pool = {0x41, 0x3a, (byte) 0x80, (byte) 0xbf, (byte) 0xc2, (byte) 0xc0, (byte) 0xe0, (byte) 0xed, (byte) 0xe2,
            (byte) 0xa0, (byte) 0x9f, (byte) 0xf0, (byte) 0xf4, (byte) 0xf5, (byte) 0x90, (byte) 0x8f, (byte) 0xff, (byte) 0x82};
        for (int i = 0; i < b.length; i++) b[i] = R.nextInt(4) == 0 ? (byte) R.nextInt(256) : pool[R.nextInt(pool.length)];
        return b;
    }

    public static void main(String[] args) throws Exception {
        IPAuthenticationProvider ip = new IPAuthenticationProvider();
        DigestAuthenticationProvider dg = new DigestAuthenticationProvider();

        // new String(byte[]) and the digest of auth bytes.
        List<byte[]> auths = new ArrayList<>();
        for (String s : new String[] {"user:password", "super:secret", "", ":", "nocolon", "a:b:c", ":pw", "u:", "\u00e9t\u00e9:\u00fc", "\ud83d\ude00:x"})
            auths.add(s.getBytes(StandardCharsets.UTF_8));
        for (String hx : new String[] {"ff", "c0af", "e282", "e28241", "eda080", "f09080", "f0908041", "f8", "e0803a", "f4908080", "c2", "41e2"})
            auths.add(HEX.parseHex(hx));
        for (int i = 0; i < 400; i++) auths.add(rndBytes(8));
        for (byte[] b : auths) {
            String s = new String(b);
            out("string", h(b), h(s));
            out("digest", h(b), h(DigestAuthenticationProvider.generateDigest(s)));
        }

        // Digest id validity and user name.
        List<String> dids = new ArrayList<>(List.of("u:h", "u:", ":h", "a:b:c", "u:h:", "u:h::", "::", ":", "", "nocolon", ":h:", "a::b"));
        for (int i = 0; i < 200; i++) dids.add(rnd(5));
        for (String s : dids) {
            out("dvalid", h(s), String.valueOf(dg.isValid(s)));
            String u;
            try { u = h(dg.getUserName(s)); } catch (RuntimeException e) { u = "EXC"; }
            out("duser", h(s), u);
        }

        // Integer.parseInt in radix 10 and 16.
        List<String> ints = new ArrayList<>(List.of("", "+", "-", "0", "-0", "+7", "007", "2147483647", "2147483648", "-2147483648",
            "-2147483649", "99999999999", "\u0661\u0662", "\uff19", "\uff41", "\uff21", "fF", "\ud835\udfce", "1 ", " 1", "ff", "-fff", "10000"));
        for (int i = 0; i < 200; i++) ints.add(rnd(3));
        for (String s : ints) for (int radix : new int[] {10, 16}) {
            String r;
            try { r = String.valueOf(Integer.parseInt(s, radix)); } catch (NumberFormatException e) { r = "NFE"; }
            out("parseint", h(s), String.valueOf(radix), r);
        }

        // ip (3.8.0 knows IPv4 only, so only ':'-free inputs are comparable).
        List<String> exprs = new ArrayList<>(List.of("1.2.3.4", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/-0", "1.2.3.4/+8", "1.2.3.4/", "/8",
            "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.002.3.4", "\u0661.2.3.4", "\uff11.2.3.4/\uff18", "10.0.0.0/8", "10.0.0.0/0",
            "1.2.3.4/8/9", "localhost", "", ".", "...", "1..3.4", "-0.0.0.0", "+1.2.3.4", "1.2.3.4 ", "255.255.255.255/31"));
        for (int i = 0; i < 300; i++) { String s = rnd(6); if (!s.contains(":")) exprs.add(s); }
        List<String> addrs = new ArrayList<>(List.of("1.2.3.4", "1.2.3.5", "10.1.2.3", "11.0.0.0", "127.0.0.1", "255.255.255.254", "0.0.0.0", "1.2.3"));
        for (String e : exprs) {
            out("ipvalid", h(e), String.valueOf(ip.isValid(e)));
            for (String a : addrs) out("ipmatch", h(a), h(e), String.valueOf(ip.matches(a, e)));
        }

        // getACL redaction.
        List<String> reds = new ArrayList<>(List.of("user:hash", "nocolon", "a:b:c", ":", "u:a\nb:c", "u:\r\n:x", "u:a\u2028b:c\u0085d", "\u00e9:\u00e9"));
        for (int i = 0; i < 100; i++) reds.add(rnd(5));
        for (String s : reds) out("redact", h(s), h(s.replaceAll(":.*", ":x")));

        // InetAddress.getHostAddress.
        List<byte[]> ips = new ArrayList<>();
        for (String hx : new String[] {"7f000001", "00000000000000000000000000000001", "00000000000000000000ffff7f000001",
            "fe800000000000000000000000000001", "20010db8000000000000000000000000", "00000000000000000000000000000000"}) ips.add(HEX.parseHex(hx));
        for (int i = 0; i < 50; i++) { byte[] b = new byte[R.nextBoolean() ? 4 : 16]; for (int j = 0; j < b.length; j++) b[j] = R.nextInt(3) == 0 ? 0 : (byte) R.nextInt(256); ips.add(b); }
        for (byte[] b : ips) out("hostaddr", h(b), h(InetAddress.getByAddress(b).getHostAddress()));

        // The order a connection's ids iterate in (ServerCnxn.authInfo).
        List<List<Id>> seqs = new ArrayList<>();
        seqs.add(List.of(new Id("ip", "127.0.0.1"), new Id("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")));
        seqs.add(List.of(new Id("ip", "0:0:0:0:0:0:0:1"), new Id("super", ""), new Id("digest", "super:lK75jTNcA+U9vtVEw5vB51mj/w4=")));
        for (int i = 0; i < 60; i++) {
            List<Id> seq = new ArrayList<>();
            int n = 1 + R.nextInt(i < 40 ? 8 : 40);
            for (int j = 0; j < n; j++) {
                String[] sch = {"ip", "digest", "super", "sasl", "x509"};
                seq.add(new Id(sch[R.nextInt(sch.length)], R.nextInt(3) == 0 ? "" : "u" + R.nextInt(100) + ":" + rnd(2)));
            }
            seqs.add(seq);
        }
        for (List<Id> seq : seqs) {
            Set<Id> set = Collections.newSetFromMap(new ConcurrentHashMap<Id, Boolean>());
            StringBuilder in = new StringBuilder(), res = new StringBuilder();
            for (Id id : seq) { set.add(id); in.append(h(id.getScheme())).append(',').append(h(id.getId())).append(';'); }
            for (Id id : new ArrayList<>(set)) res.append(h(id.getScheme())).append(',').append(h(id.getId())).append(';');
            out("order", in.toString(), res.toString());
        }
    }
}
