package doppelgate.wire;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * H2Collection whose sorted queries sort as MongoDB's SORT stage does: each document's sort
 * values resolved once, and with a limit only the top skip+limit kept (a bounded heap) when the
 * sort values are scalars.
 *
 * <p>mongo-java-server 1.47.0 sorts every match with a comparator that re-resolves each dotted
 * sort path (validate, split, join, allocate) on both sides of every comparison: about 1.7
 * million comparisons for 100,000 documents, 10-15 s per query, the collection locked all the
 * while; and it sorts everything even when the query has a limit. Same order as the library's
 * DocumentComparator (the same values through the same ValueComparator per key), ties in scan
 * order (the library's sort is stable too).
 */
final class TopKH2Collection extends H2Collection {

    private static final Document MATCH_ALL = new Document();

    TopKH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                     org.h2.mvstore.MVMap<Object, Document> dataMap,
                     org.h2.mvstore.MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    /** A matching document with its sort values and its position in the scan. */
    private record Keyed(Document document, Object[] values, long seq) {}

    @Override
    protected QueryResult matchDocumentsFromStream(Stream<Document> documentStream, Document query,
                                                   Document orderBy, int numberToSkip, int limit,
                                                   int batchSize, Document fieldSelector) {
        if (orderBy == null || orderBy.keySet().isEmpty()
                || orderBy.keySet().iterator().next().equals("$natural")
                || !orderBy.values().stream().allMatch(Number.class::isInstance)) {
            return super.matchDocumentsFromStream(documentStream, query, orderBy, numberToSkip,
                    limit, batchSize, fieldSelector);
        }
        String[] paths = orderBy.keySet().toArray(new String[0]);
        String[][] steps = new String[paths.length][];
        ValueComparator[] ways = new ValueComparator[paths.length];
        for (int i = 0; i < paths.length; i++) {
            Utils.getSubdocumentValueCollectionAware(new Document(), paths[i]); // its errors
            steps[i] = plain(paths[i]) ? paths[i].split("\\.") : null;
            boolean ascending = ((Number) orderBy.get(paths[i])).intValue() > 0;
            ways[i] = ascending ? ValueComparator.asc() : ValueComparator.desc();
        }
        Comparator<Keyed> order = (a, b) -> {
            for (int i = 0; i < ways.length; i++) {
                int cmp = ways[i].compare(a.values()[i], b.values()[i]);
                if (cmp != 0) {
                    return cmp;
                }
            }
            return Long.compare(a.seq(), b.seq());
        };
        List<Keyed> matched = new ArrayList<>();
        boolean scalars = true;
        Iterator<Document> scan = documentStream.iterator();
        while (scan.hasNext()) {
            Document document = scan.next();
            if (!documentMatchesQuery(document, query)) {
                continue;
            }
            Object[] values = new Object[paths.length];
            for (int i = 0; i < paths.length; i++) {
                values[i] = valueAt(document, paths[i], steps[i]);
                scalars &= !(values[i] instanceof Collection<?> || values[i] instanceof Document);
            }
            matched.add(new Keyed(document, values, matched.size()));
        }
        long wanted = limit > 0 ? (long) Math.max(numberToSkip, 0) + limit : 0;
        List<Keyed> sorted = matched;
        if (wanted > 0 && wanted < matched.size() && scalars) {
            // a bounded heap: the library's comparator is a total order on scalars only (on
            // arrays it is not, e.g. [] against []: there only its own full sort gives its order)
            PriorityQueue<Keyed> top = new PriorityQueue<>(order.reversed());
            for (Keyed keyed : matched) {
                if (top.size() < wanted) {
                    top.add(keyed);
                } else if (order.compare(keyed, top.peek()) < 0) {
                    top.poll();
                    top.add(keyed);
                }
            }
            sorted = new ArrayList<>(top);
        }
        sorted.sort(order); // stable, as the library's: equal values stay in scan order
        // already matched and ordered: the library only skips, limits, projects and batches
        return super.matchDocumentsFromStream(MATCH_ALL, sorted.stream().map(Keyed::document),
                numberToSkip, limit, batchSize, null, fieldSelector);
    }

    private static boolean plain(String path) {
        return !path.isEmpty() && !path.startsWith(".") && !path.endsWith(".")
                && !path.contains("..");
    }

    /**
     * The library's getSubdocumentValueCollectionAware without its per-call regex split and
     * stream join: embedded documents walked directly; any array on the way, or an odd path,
     * goes to the library itself (its rules for arrays), so the value is always the same.
     */
    private static Object valueAt(Document document, String path, String[] steps) {
        if (steps == null) {
            return Utils.getSubdocumentValueCollectionAware(document, path);
        }
        Object current = document;
        for (String step : steps) {
            if (current instanceof Document embedded) {
                current = embedded.getOrMissing(step);
            } else if (current instanceof Collection<?>) {
                return Utils.getSubdocumentValueCollectionAware(document, path);
            } else {
                return Missing.getInstance();
            }
        }
        return current;
    }
}
