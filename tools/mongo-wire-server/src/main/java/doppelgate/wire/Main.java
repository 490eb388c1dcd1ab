package doppelgate.wire;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A MongoDB-wire server for tests: mongo-java-server with its H2 (MVStore) backend, patched so
 * that empty arrays under unique indexes work (see EmptyArraySafeH2UniqueIndex).
 *
 * <p>Usage: {@code java -jar mongo-wire-server.jar --port PORT --file DATA_FILE [--host HOST]
 * [--exit-with PID]}. Port 0 picks a free port; with --exit-with the server stops when that
 * process ends. Prints {@code mongo-wire-server ready mongodb://HOST:PORT} on stdout
 * once it accepts connections; SIGTERM (or SIGINT) closes the listener and commits the data file,
 * so the data survives a restart on the same file.
 */
public final class Main {
    private static final MongoVersion MONGO_4_4 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private Main() {}

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 27017;
        String file = null;
        long exitWith = -1;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--file" -> file = value;
                case "--exit-with" -> exitWith = Long.parseLong(value);
                default -> usage("unknown option " + arg);
            }
        }
        if (file == null) {
            usage("--file is required");
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }

        PatchedH2Backend backend = new PatchedH2Backend(file);
        // PyMongo 4.14+ refuses servers below wire version 9 (MongoDB 4.4), and every built-in
        // ServerVersion of 1.47.0 reports 8 or less: announce 4.4 / wire 9, the least PyMongo takes.
        // The version is only reported (hello, buildInfo); it changes no behaviour of the server.
        backend.version(MONGO_4_4);
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(host, port);
        } catch (Exception e) { // netty rethrows the checked BindException undeclared
            System.err.println("mongo-wire-server: cannot listen on " + host + ":" + port + ": " + e);
            server.shutdownNow();
            System.exit(1);
        }
        InetSocketAddress bound = server.getLocalAddress();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.shutdown(); // stops listening, closes connections, closes the backend
            } finally {
                stopped.countDown();
            }
            System.out.println("mongo-wire-server stopped");
            System.out.flush();
            Runtime.getRuntime().halt(0); // stopped as asked: a clean exit, not 143
        }, "mongo-wire-server-shutdown"));

        if (exitWith > 0) { // a test run that dies without stopping its server takes it along
            ProcessHandle.of(exitWith).ifPresentOrElse(
                    owner -> owner.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        }

        System.out.println("mongo-wire-server ready mongodb://" + host + ":" + bound.getPort()
                + " file=" + Path.of(file).toAbsolutePath());
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("mongo-wire-server: " + problem);
        System.err.println("usage: java -jar mongo-wire-server.jar --port PORT --file DATA_FILE"
                + " [--host HOST] [--exit-with PID]");
        System.exit(2);
    }
}
