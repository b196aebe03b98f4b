package protocol

// CreateMode is the flags field of a create request (CreateMode.toFlag).
type CreateMode int32

// Create modes.
const (
	ModePersistent                  CreateMode = 0
	ModeEphemeral                   CreateMode = 1
	ModePersistentSequential        CreateMode = 2
	ModeEphemeralSequential         CreateMode = 3
	ModeContainer                   CreateMode = 4
	ModePersistentWithTTL           CreateMode = 5
	ModePersistentSequentialWithTTL CreateMode = 6
)

// Valid reports whether m is a flag value ZooKeeper accepts.
func (m CreateMode) Valid() bool { return m >= 0 && m <= 6 }

// Ephemeral reports whether nodes of this mode belong to a session.
func (m CreateMode) Ephemeral() bool { return m == ModeEphemeral || m == ModeEphemeralSequential }

// Sequential reports whether the server appends a sequence number.
func (m CreateMode) Sequential() bool {
	return m == ModePersistentSequential || m == ModeEphemeralSequential || m == ModePersistentSequentialWithTTL
}

// Container reports whether the mode is CONTAINER.
func (m CreateMode) Container() bool { return m == ModeContainer }

// TTL reports whether the mode is one of the TTL modes.
func (m CreateMode) TTL() bool {
	return m == ModePersistentWithTTL || m == ModePersistentSequentialWithTTL
}

// Permission bits (ZooDefs.Perms).
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// EventType is the type field of a WatcherEvent (Watcher.Event.EventType).
type EventType int32

// Event types.
const (
	EventNone                   EventType = -1
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

// KeeperState is the state field of a WatcherEvent (Watcher.Event.KeeperState).
type KeeperState int32

// Keeper states. The server only ever sends StateSyncConnected.
const (
	StateUnknown           KeeperState = -1
	StateDisconnected      KeeperState = 0
	StateNoSyncConnected   KeeperState = 1
	StateSyncConnected     KeeperState = 3
	StateAuthFailed        KeeperState = 4
	StateConnectedReadOnly KeeperState = 5
	StateSaslAuthenticated KeeperState = 6
	StateClosed            KeeperState = 7
	StateExpired           KeeperState = -112
)

// WatcherType selects watches in checkWatches and removeWatches.
type WatcherType int32

// Watcher types. Persistent and PersistentRecursive exist since 3.9.0.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

// AddWatchMode is the mode field of an AddWatchRequest.
type AddWatchMode int32

// addWatch modes.
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

// On-disk magic numbers (FileHeader.magic).
const (
	SnapshotMagic int32 = 0x5A4B534E // "ZKSN"
	TxnLogMagic   int32 = 0x5A4B4C47 // "ZKLG"
)

// Ephemeral owner markers for nodes that are not ephemeral (EphemeralType).
const (
	ContainerEphemeralOwner int64 = -1 << 63 // Long.MIN_VALUE
	ttlOwnerMask            int64 = -1 << 56 // 0xFF00000000000000
	MaxTTL                  int64 = 1<<40 - 1
)

// TTLOwner encodes a TTL in ms as the stored ephemeralOwner of a TTL node.
func TTLOwner(ttl int64) int64 { return ttlOwnerMask | (ttl & MaxTTL) }

// OwnerTTL returns the TTL stored in a TTL node's ephemeralOwner, and whether
// owner marks a TTL node at all.
func OwnerTTL(owner int64) (int64, bool) {
	if owner&ttlOwnerMask != ttlOwnerMask || owner == ContainerEphemeralOwner {
		return 0, false
	}
	return owner & MaxTTL, true
}

// DefaultMaxBuffer is jute.maxbuffer's default: the largest frame accepted.
const DefaultMaxBuffer = 0xfffff
