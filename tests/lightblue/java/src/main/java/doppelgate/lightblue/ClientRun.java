package doppelgate.lightblue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.redhat.lightblue.client.LightblueClientConfiguration;
import com.redhat.lightblue.client.Locking;
import com.redhat.lightblue.client.Projection;
import com.redhat.lightblue.client.Query;
import com.redhat.lightblue.client.ResultStream;
import com.redhat.lightblue.client.Sort;
import com.redhat.lightblue.client.Update;
import com.redhat.lightblue.client.enums.MetadataStatus;
import com.redhat.lightblue.client.http.LightblueHttpClient;
import com.redhat.lightblue.client.request.DataBulkRequest;
import com.redhat.lightblue.client.request.data.DataDeleteRequest;
import com.redhat.lightblue.client.request.data.DataFindRequest;
import com.redhat.lightblue.client.request.data.DataInsertRequest;
import com.redhat.lightblue.client.request.data.DataSaveRequest;
import com.redhat.lightblue.client.request.data.DataUpdateRequest;
import com.redhat.lightblue.client.request.data.GenerateRequest;
import com.redhat.lightblue.client.request.metadata.MetadataCreateNewEntityRequest;
import com.redhat.lightblue.client.request.metadata.MetadataGetEntityMetadataRequest;
import com.redhat.lightblue.client.request.metadata.MetadataGetEntityNamesRequest;
import com.redhat.lightblue.client.request.metadata.MetadataGetEntityRolesRequest;
import com.redhat.lightblue.client.request.metadata.MetadataGetEntityVersionsRequest;
import com.redhat.lightblue.client.request.metadata.MetadataRemoveEntityRequest;
import com.redhat.lightblue.client.request.metadata.MetadataSetDefaultVersionRequest;
import com.redhat.lightblue.client.request.metadata.MetadataUpdateSchemaStatusRequest;
import com.redhat.lightblue.client.response.DefaultLightblueBulkDataResponse;
import com.redhat.lightblue.client.response.LightblueDataResponse;
import com.redhat.lightblue.client.response.LightblueResponseException;

/**
 * Drives the real lightblue Java client against a lightblue service and prints one JSON line per
 * call: {"step": name, "result": json} or {"step": name, "error": exception class, "message",
 * "errorCodes"}. Arguments: the data service URL, the metadata service URL, the metadata JSON
 * of the `client` entity and of the `scratch` entity (created, disabled and removed).
 */
public final class ClientRun {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String ENTITY = "client";
    private static final String VERSION = "1.0.0";

    interface Call {
        Object run() throws Exception;
    }

    private ClientRun() {}

    public static void main(String[] args) throws Exception {
        LightblueClientConfiguration config = new LightblueClientConfiguration();
        config.setDataServiceURI(args[0]);
        config.setMetadataServiceURI(args[1]);
        config.setUseCertAuth(false);
        try (LightblueHttpClient client = new LightblueHttpClient(config)) {
            metadata(client, args[2], args[3]);
            data(client);
            locks(client);
        }
    }

    private static void metadata(LightblueHttpClient client, String entity, String scratch) {
        step("createMetadata", () -> {
            MetadataCreateNewEntityRequest r = new MetadataCreateNewEntityRequest(ENTITY, VERSION);
            r.setBodyJson(entity);
            return client.metadata(r).getJson();
        });
        step("entityNames", () -> client.metadata(new MetadataGetEntityNamesRequest()).getJson());
        step("versions", () -> client.metadata(new MetadataGetEntityVersionsRequest(ENTITY)).getJson());
        step("getMetadata", () -> client.metadata(new MetadataGetEntityMetadataRequest(ENTITY, VERSION)).getJson());
        step("setDefault", () -> client.metadata(new MetadataSetDefaultVersionRequest(ENTITY, VERSION)).getJson());
        step("setStatus", () -> client.metadata(
                new MetadataUpdateSchemaStatusRequest(ENTITY, VERSION, MetadataStatus.DEPRECATED, "from java")).getJson());
        step("roles", () -> client.metadata(new MetadataGetEntityRolesRequest(ENTITY)).getJson());
        step("createScratch", () -> {
            MetadataCreateNewEntityRequest r = new MetadataCreateNewEntityRequest("scratch", VERSION);
            r.setBodyJson(scratch);
            return client.metadata(r).getJson();
        });
        step("disableScratch", () -> client.metadata(
                new MetadataUpdateSchemaStatusRequest("scratch", VERSION, MetadataStatus.DISABLED)).getJson());
        step("removeScratch", () -> client.metadata(new MetadataRemoveEntityRequest("scratch")).getText());
        step("namesAfterRemove", () -> client.metadata(new MetadataGetEntityNamesRequest()).getJson());
    }

    private static Map<String, Object> person(String name, int age, String... tags) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", name);
        doc.put("age", age);
        doc.put("tags", tags);
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("city", name + "ville");
        doc.put("address", address);
        return doc;
    }

    private static JsonNode counts(LightblueDataResponse response) {
        ObjectNode out = NODES.objectNode();
        out.put("matchCount", response.parseMatchCount());
        out.put("modifiedCount", response.parseModifiedCount());
        out.set("processed", response.getProcessed());
        out.set("json", response.getJson());
        return out;
    }

    private static void data(LightblueHttpClient client) {
        step("insert", () -> {
            DataInsertRequest r = new DataInsertRequest(ENTITY, VERSION);
            r.create(person("alice", 30, "a", "b"), person("bob", 40), person("carol", 50, "c"));
            r.returns(Projection.includeField("_id"), Projection.includeField("name"));
            return counts(client.data(r));
        });
        step("find", () -> {
            DataFindRequest r = new DataFindRequest(ENTITY, VERSION);
            r.where(Query.withValue("age", Query.gte, 40));
            r.select(Projection.includeFieldRecursively("*"));
            r.sort(Sort.desc("age"));
            return counts(client.data(r));
        });
        step("findTyped", () -> {
            DataFindRequest r = new DataFindRequest(ENTITY, VERSION);
            r.where(Query.withValue("name", Query.eq, "alice"));
            r.select(Projection.includeField("name"), Projection.includeField("age"));
            Person[] found = client.data(r, Person[].class);
            return MAPPER.valueToTree(found);
        });
        step("update", () -> {
            DataUpdateRequest r = new DataUpdateRequest(ENTITY, VERSION);
            r.where(Query.withValue("name", Query.eq, "alice"));
            r.updates(Update.set("age", 31), Update.set("address.city", "Paris"));
            r.returns(Projection.includeFieldRecursively("*"));
            return counts(client.data(r));
        });
        step("save", () -> {
            DataFindRequest f = new DataFindRequest(ENTITY, VERSION);
            f.where(Query.withValue("name", Query.eq, "bob"));
            f.select(Projection.includeFieldRecursively("*"));
            ObjectNode bob = (ObjectNode) client.data(f).getProcessed().get(0);
            bob.put("age", 41);
            bob.remove("address");
            DataSaveRequest r = new DataSaveRequest(ENTITY, VERSION);
            r.create(bob);
            r.returns(Projection.includeFieldRecursively("*"));
            return counts(client.data(r));
        });
        step("bulk", () -> {
            DataBulkRequest bulk = new DataBulkRequest();
            DataInsertRequest insert = new DataInsertRequest(ENTITY, VERSION);
            insert.create(person("dave", 60));
            insert.returns(Projection.includeField("name"));
            DataFindRequest find = new DataFindRequest(ENTITY, VERSION);
            find.where(Query.withValue("age", Query.gt, 45));
            find.select(Projection.includeField("name"));
            find.sort(Sort.asc("name"));
            bulk.add(insert);
            bulk.add(find);
            DefaultLightblueBulkDataResponse response = client.bulkData(bulk);
            ArrayNode out = NODES.arrayNode();
            for (LightblueDataResponse each : response.getResponses()) {
                out.add(counts(each));
            }
            return out;
        });
        step("streamingFind", () -> {
            DataFindRequest r = new DataFindRequest(ENTITY, VERSION);
            r.select(Projection.includeField("name"));
            r.sort(Sort.asc("name"));
            List<JsonNode> docs = new ArrayList<>();
            ObjectNode out = NODES.objectNode();
            client.prepareFind(r).run(new ResultStream.ForEachDoc() {
                @Override
                public boolean processDocument(ResultStream.StreamDoc doc) {
                    docs.add(doc.doc);
                    if (doc.lastDoc) {
                        out.put("sawLast", true);
                    }
                    return true;
                }
            });
            out.set("docs", MAPPER.valueToTree(docs));
            return out;
        });
        step("generate", () -> client.data(new GenerateRequest(ENTITY, VERSION).path("number").nValues(3)).getJson());
        step("delete", () -> {
            DataDeleteRequest r = new DataDeleteRequest(ENTITY, VERSION);
            r.where(Query.withValue("age", Query.lt, 45));
            return counts(client.data(r));
        });
        step("findAfterDelete", () -> {
            DataFindRequest r = new DataFindRequest(ENTITY, VERSION);
            r.select(Projection.includeField("name"));
            r.sort(Sort.asc("name"));
            return counts(client.data(r));
        });
        step("findUnknownEntity", () -> counts(client.data(new DataFindRequest("nosuch", VERSION))));
    }

    private static void locks(LightblueHttpClient client) {
        Locking locking = client.getLocking("java");
        locking.setCallerId("caller-1");
        step("acquire", () -> locking.acquire("res-1"));
        step("acquireAgain", () -> locking.acquire("res-1", 60000L));
        step("count", () -> locking.getLockCount("res-1"));
        step("ping", () -> locking.ping("res-1"));
        step("release", () -> locking.release("res-1"));
        step("releaseLast", () -> locking.release("res-1"));
        step("releaseUnheld", () -> locking.release("res-1"));
        step("countUnheld", () -> locking.getLockCount("free-res"));
        step("pingUnheld", () -> locking.ping("free-res"));
        Locking other = client.getLocking("java");
        other.setCallerId("caller-2");
        step("acquireHeld", () -> {
            locking.acquire("res-2");
            return other.acquire("res-2");
        });
    }

    private static void step(String name, Call call) {
        ObjectNode line = NODES.objectNode();
        line.put("step", name);
        try {
            Object result = call.run();
            line.set("result", result instanceof JsonNode ? (JsonNode) result : MAPPER.valueToTree(result));
        } catch (Throwable e) {
            line.put("error", e.getClass().getName());
            line.put("message", String.valueOf(e.getMessage()));
            if (e instanceof LightblueResponseException) {
                line.set("errorCodes", MAPPER.valueToTree(((LightblueResponseException) e).getErrorCodes()));
            }
        }
        try {
            System.out.println(MAPPER.writeValueAsString(line));
        } catch (Exception e) {
            System.out.println("{\"step\":\"" + name + "\",\"error\":\"unprintable\"}");
        }
    }

    /** A typed result, as an application maps `processed` with the client's ObjectMapper. */
    public static final class Person {
        public String name;
        public Integer age;
    }
}
