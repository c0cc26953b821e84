package dynamo

// ItemSize exports itemSize to the tests, which check it against the peers'
// item size limit.
var ItemSize = itemSize
