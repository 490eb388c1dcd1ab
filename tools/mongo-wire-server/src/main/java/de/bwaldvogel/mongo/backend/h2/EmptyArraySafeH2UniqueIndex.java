package de.bwaldvogel.mongo.backend.h2;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;

/**
 * H2UniqueIndex that keys an empty array as null, as MongoDB keys a missing value.
 *
 * <p>mongo-java-server 1.47.0 derives no key at all from an empty array on an indexed path
 * ({@code {a: []}} under a unique index on {@code a} or {@code a.x}): the insert succeeds, but
 * every later update or delete of that document fails ("Found no position for ..." / "Expected
 * one element but got zero"), so the document can never change again. Here every document an
 * index sees has its empty arrays on the indexed paths replaced by null first, so it gets one key.
 *
 * <p>In this package only because H2UniqueIndex's constructor is package-private.
 */
public class EmptyArraySafeH2UniqueIndex extends H2UniqueIndex {

    private final List<String> paths;

    public EmptyArraySafeH2UniqueIndex(
            MVMap<KeyValue, Object> mvMap, String name, List<IndexKey> keys, boolean sparse) {
        super(mvMap, name, keys, sparse);
        this.paths = keys.stream().map(IndexKey::getKey).toList();
    }

    @Override
    public synchronized Object remove(Document document) {
        return super.remove(keyable(document));
    }

    @Override
    public Object getPosition(Document document) {
        return super.getPosition(keyable(document));
    }

    @Override
    public synchronized void checkAdd(Document document, MongoCollection<Object> collection) {
        super.checkAdd(keyable(document), collection);
    }

    @Override
    public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
        super.add(keyable(document), position, collection);
    }

    @Override
    public synchronized void checkUpdate(
            Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        super.checkUpdate(keyable(oldDocument), keyable(newDocument), collection);
    }

    @Override
    public void updateInPlace(
            Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection)
            throws KeyConstraintError {
        super.updateInPlace(keyable(oldDocument), keyable(newDocument), position, collection);
    }

    /** The document itself, or a copy with the empty arrays on indexed paths set to null. */
    private Document keyable(Document document) {
        if (document == null || paths.stream().noneMatch(p -> hasEmptyArray(document, p.split("\\."), 0))) {
            return document;
        }
        Document copy = document.cloneDeeply();
        for (String path : paths) {
            blankEmptyArrays(copy, path.split("\\."), 0);
        }
        return copy;
    }

    private static boolean hasEmptyArray(Object node, String[] parts, int i) {
        if (node instanceof Map<?, ?> map) {
            Object value = map.get(parts[i]);
            if (value instanceof Collection<?> c && c.isEmpty()) {
                return true;
            }
            return i + 1 < parts.length && hasEmptyArray(value, parts, i + 1);
        }
        if (node instanceof Collection<?> elements) {
            for (Object element : elements) {
                if (element instanceof Map<?, ?> && hasEmptyArray(element, parts, i)) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static void blankEmptyArrays(Object node, String[] parts, int i) {
        if (node instanceof Map<?, ?> map) {
            Object value = map.get(parts[i]);
            if (value instanceof Collection<?> c && c.isEmpty()) {
                ((Map<String, Object>) map).put(parts[i], null);
            } else if (i + 1 < parts.length) {
                blankEmptyArrays(value, parts, i + 1);
            }
        } else if (node instanceof Collection<?> elements) {
            for (Object element : elements) {
                if (element instanceof Map<?, ?>) {
                    blankEmptyArrays(element, parts, i);
                }
            }
        }
    }
}
