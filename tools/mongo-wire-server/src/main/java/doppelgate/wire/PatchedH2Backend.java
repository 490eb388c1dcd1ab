package doppelgate.wire;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.EmptyArraySafeH2UniqueIndex;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/** H2Backend whose unique indexes key empty arrays (see EmptyArraySafeH2UniqueIndex). */
final class PatchedH2Backend extends H2Backend {

    PatchedH2Backend(String fileName) {
        super(fileName);
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
        protected Index<Object> openOrCreateUniqueIndex(
                String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            // the map name H2Database itself uses, so existing data files keep working
            String mapName = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
            MVMap<KeyValue, Object> mvMap = store.openMap(mapName);
            return new EmptyArraySafeH2UniqueIndex(mvMap, indexName, keys, sparse);
        }
    }
}
