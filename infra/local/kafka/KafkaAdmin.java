// A tiny admin client for the local Kafka broker, run with the JVM's single-file
// source launcher on the broker's own classpath (no build step, no extra download):
//   java -cp 'LIB/*' KafkaAdmin.java ready  BOOTSTRAP [NODES]  -> exit 0 once the cluster answers a metadata request
//                                                               (and, given NODES, has that many brokers)
//   java -cp 'LIB/*' KafkaAdmin.java topics BOOTSTRAP name:partitions ...  -> creates missing topics with the
//                                                               brokers' default replication factor and min ISR
//   java -cp 'LIB/*' KafkaAdmin.java isr BOOTSTRAP TOPIC      -> one line per partition: leader, replicas, ISR
// `stack` uses it because a log line is not proof that the broker serves requests.
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.errors.TopicExistsException;

public class KafkaAdmin {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: KafkaAdmin ready|topics|isr BOOTSTRAP [NODES | name:partitions ... | TOPIC]");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    // Generous for a loaded 2-core machine: a slow answer is still an answer.
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    try (Admin admin = Admin.create(props)) {
      switch (args[0]) {
        case "ready" -> {
          int nodes = admin.describeCluster().nodes().get(15, TimeUnit.SECONDS).size();
          admin.listTopics().names().get(15, TimeUnit.SECONDS);
          if (args.length > 2 && nodes < Integer.parseInt(args[2])) {
            System.err.println("kafka: " + nodes + " of " + args[2] + " brokers registered");
            System.exit(1);
          }
          System.out.println("kafka ready, " + nodes + " node(s)");
        }
        case "topics" -> {
          Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
          List<NewTopic> wanted = new ArrayList<>();
          List<String> names = new ArrayList<>();
          for (int i = 2; i < args.length; i++) {
            String[] parts = args[i].split(":");
            names.add(parts[0]);
            if (!existing.contains(parts[0])) {
              // No replication factor: the brokers' default (1 on the single node, 3 on kafka-cluster).
              wanted.add(new NewTopic(parts[0], Optional.of(Integer.parseInt(parts[1])), Optional.empty()));
            }
          }
          if (!wanted.isEmpty()) {
            try {
              admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
              if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
          }
          // Only the stack's own topics: tests leave many of their own behind, and describing them all is slow.
          for (var d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            System.out.println(d.name() + " partitions=" + d.partitions().size() + " replicas=" + d.partitions().get(0).replicas().size());
          }
        }
        case "isr" -> {
          var d = admin.describeTopics(List.of(args[2])).allTopicNames().get(30, TimeUnit.SECONDS).get(args[2]);
          for (var p : d.partitions()) {
            System.out.println(p.partition() + " leader=" + (p.leader() == null ? -1 : p.leader().id())
                + " replicas=" + String.join(",", p.replicas().stream().map(n -> String.valueOf(n.id())).toList())
                + " isr=" + String.join(",", p.isr().stream().map(n -> String.valueOf(n.id())).toList()));
          }
        }
        default -> {
          System.err.println("unknown command " + args[0]);
          System.exit(2);
        }
      }
    } catch (Exception e) {
      System.err.println("kafka: " + e.getMessage());
      System.exit(1);
    }
  }
}
