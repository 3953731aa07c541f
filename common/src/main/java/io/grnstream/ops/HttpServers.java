package io.grnstream.ops;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The JDK's HTTP server, with Nagle's algorithm off on its connections. */
public final class HttpServers {
    static {
        // Read once, when the JVM makes its first server. With Nagle on, a response written as
        // headers then body waited out the client's delayed ACK: 40 ms per status lookup.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServers() {
    }

    /** An unstarted server on every interface; port 0 picks a free one. */
    public static HttpServer create(int port) throws IOException {
        return HttpServer.create(new InetSocketAddress(port), 0);
    }
}
