package doppelgate.wire;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.EmptyArraySafeH2UniqueIndex;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2Backend whose unique indexes key empty arrays (see EmptyArraySafeH2UniqueIndex), whose sorts
 * keep the top k (TopKH2Collection), and whose page cache holds the data set.
 */
final class PatchedH2Backend extends H2Backend {

    PatchedH2Backend(String fileName) {
        super(openStore(fileName));
    }

    /**
     * The data file with a page cache of a quarter of the heap. H2's default, 16 MB, holds about
     * 20,000 small documents: beyond that every scan re-reads pages from the file and decodes
     * each document with Java serialization (100,000 documents: 1.5-2.7 s per scan, against
     * 0.3 s from cached pages), so every query of a large collection paid it again.
     */
    private static MVStore openStore(String fileName) {
        int cacheMb = (int) Math.max(16, Runtime.getRuntime().maxMemory() / 4 / (1 << 20));
        return new MVStore.Builder().fileName(fileName).cacheSize(cacheMb).open();
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    private static final class Database extends H2Database {
        // set before the super constructor opens the existing indexes: a static, as a field of
        // this class is not assigned yet then (one backend, so one store, per process)
        private static volatile MVStore store;

        Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(remember(databaseName, mvStore), mvStore, cursorRegistry);
        }

        private static String remember(String databaseName, MVStore mvStore) {
            store = mvStore;
            return databaseName;
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(
                String collectionName, CollectionOptions options) {
            // the map names H2Database itself uses (its prefixes are package-private there)
            String name = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = store.openMap("databases." + name);
            MVMap<String, Object> metaMap = store.openMap("meta." + name);
            return new TopKH2Collection(
                    this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(
                String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            // the map name H2Database itself uses, so existing data files keep working
            String mapName = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
            MVMap<KeyValue, Object> mvMap = store.openMap(mapName);
            return new EmptyArraySafeH2UniqueIndex(mvMap, indexName, keys, sparse);
        }
    }
}
