/*
 * Runs several MQAdminStartup command lines in ONE JVM (used by scripts/brokers.sh).
 *
 * Reads one mqadmin command per stdin line (e.g.
 * "updateTopic -n 127.0.0.1:9876 -c DefaultCluster -t test -r 8 -w 8"), prints a line
 * "@@@ <line>" before each one and "@@@ done" at the end, then exits 0.
 * MQAdminStartup.main() never calls System.exit and catches its own exceptions,
 * so the caller must check the printed result (e.g. "create topic to ... success.").
 *
 * Compiled once with plain javac (no RocketMQ classes at compile time: the tool is
 * called through reflection), so the same class works for 4.x and 5.x classpaths.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

public final class AdminBatch {
    public static void main(String[] argv) throws Exception {
        Method main = Class.forName("org.apache.rocketmq.tools.command.MQAdminStartup")
            .getMethod("main", String[].class);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            System.out.println(); // 4.x prints the TopicConfig without a trailing newline
            System.out.println("@@@ " + line);
            System.out.flush();
            try {
                main.invoke(null, (Object) line.split("\\s+"));
            } catch (InvocationTargetException e) {
                System.out.println("@@@ error: " + e.getCause());
            }
            System.out.flush();
        }
        System.out.println();
        System.out.println("@@@ done");
        System.out.flush();
        System.exit(0);
    }
}
