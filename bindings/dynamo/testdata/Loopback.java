// Loopback starts Amazon DynamoDB Local (ServerRunner's command-line
// arguments) listening on 127.0.0.1 only: DynamoDB Local itself has no host
// option and listens on every interface. Run as a source file by the tests
// (see ddblocal_test.go):
//
//	java -cp 'DynamoDBLocal.jar:DynamoDBLocal_lib/*' Loopback.java -inMemory -port N
import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class Loopback {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server server = (Server) f.get(proxy);
        for (Connector c : server.getConnectors()) {
            ((ServerConnector) c).setHost("127.0.0.1");
        }
        proxy.start();
        proxy.join();
    }
}
