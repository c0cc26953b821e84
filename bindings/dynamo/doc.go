// Package dynamo is the Workers KV binding (kv.Namespace) on Amazon DynamoDB,
// for Workers deployed to AWS Lambda. It passes the same conformance suite
// (bindings/kv/kvtest) as the embedded store, with the same validation and
// error strings (bindings/kv's Check functions).
//
// # Table design
//
// One table per KV namespace, on-demand capacity (CreateTableInput; the
// Terraform provider's ferry_kv_namespace creates exactly this):
//
//   - Hash key AttrKey ("key", S) is the KV key. Get, Put and Delete are one
//     request each and spread over all partitions; GetMany is BatchGetItem.
//     Reads are strongly consistent, so a Worker reads its own writes.
//   - Item attributes: AttrValue ("value", B), AttrExp ("exp", N: Unix
//     seconds), AttrMeta ("meta", S: the metadata JSON), AttrOverflow ("ovf",
//     S: the S3 key of a value kept in S3) and AttrList ("list", S, always
//     ListPartition, "k"). Optional attributes are absent when unused.
//   - The global secondary index IndexList ("list") has hash key AttrList and
//     range key AttrKey, and projects AttrExp and AttrMeta: List is a Query on
//     it, sorted by the key's UTF-8 bytes (DynamoDB's order for S), with
//     begins_with for the prefix and the page's last key as the cursor
//     (kv.Cursor, so a cursor also works on the embedded store). Like
//     Cloudflare's list, it is eventually consistent: a key put a moment ago
//     may be missing from a list for a moment.
//
// The trade-off: every item has the same index hash key, so all of a
// namespace's writes go through one index partition, which DynamoDB caps at
// about 1,000 writes per second (writes beyond that are throttled). That buys
// sorted, paginated listing without a scan; point reads and the table's
// own writes are unaffected. Cloudflare caps writes to one key at one per
// second, and KV is meant for read-heavy data, so the cap is rarely reached.
//
// # Expiration
//
// AttrExp is the table's TTL attribute (TTLInput), so DynamoDB deletes
// expired items, but lazily (typically within days). Namespace therefore
// also checks expiry itself, on the injected clock (WithClock): Get, GetMany
// and List never return an expired item, and a List page is filled from
// further index items when expired ones are skipped, so its size and cursor
// are the same as if they were gone.
//
// # Values above the item limit
//
// A DynamoDB item holds at most 400 KB (MaxItemSize), KV values up to 25 MiB.
// With an overflow bucket (WithOverflow) a value whose item would exceed the
// limit goes to an S3 object named <table>/<sha256 of the key>/<random id>
// (any key is a safe object name that way, and one bucket serves many
// tables), and the item holds the object's key in AttrOverflow instead of
// AttrValue. Without one, such a put fails with a kv.Error naming the limit
// and stores nothing.
//
// Writes are ordered so that a crash between two steps leaves the old or the
// new value readable, never neither: a put writes the new object first, then
// the item (PutItem returns the item it replaced), and only then deletes the
// replaced item's object; Delete deletes the item, then its object. Every
// put of a large value writes a fresh object, so concurrent puts of one key
// never mix one put's value with another's metadata. What a crash can leave
// behind is an orphaned object no item points to (harmless but billed);
// items that DynamoDB's TTL deletes also leave theirs, as TTL deletion does
// not reach S3. A Get that finds its object already deleted by a concurrent
// put reads the item again.
package dynamo
