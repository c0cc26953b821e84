package s3

import (
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/ferry-run/ferry/bindings/r2"
)

// code returns the S3 error code of err ("" for none) and the HTTP status.
func code(err error) (string, int) {
	var c string
	var api smithy.APIError
	if errors.As(err, &api) {
		c = api.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return c, re.HTTPStatusCode()
	}
	return c, 0
}

// notFound reports whether err says the object is not there (HEAD answers a
// bare 404).
func notFound(err error) bool {
	c, status := code(err)
	return c == "NoSuchKey" || c == "NotFound" || (status == 404 && c != "NoSuchBucket" && c != "NoSuchUpload")
}

// conflict reports whether a guarded write lost a race: the object changed
// since ferry looked at it.
func conflict(err error) bool {
	c, status := code(err)
	return c == "PreconditionFailed" || c == "ConditionalRequestConflict" || status == 412 || status == 409
}

func noSuchUpload(err error) bool {
	c, _ := code(err)
	return c == "NoSuchUpload"
}

// wrap turns an S3 error into what the embedded implementation returns: R2's
// own error where one matches, else a wrapped store error (reported to the
// Worker as an internal error).
func wrap(op, what string, err error) error {
	var e *r2.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	switch c, _ := code(err); c {
	case "MetadataTooLarge":
		return fmt.Errorf("%s %s: the object's metadata is larger than the S3 store allows "+
			"(S3 keeps at most 2 KB of x-amz-meta- headers; ferry stores customMetadata and about 70 bytes of its own there): %w", gerund(op), what, err)
	case "EntityTooLarge":
		return &r2.Error{Op: op, Code: r2.CodeEntityTooLarge, Status: 400, Message: "Your proposed upload exceeds the maximum allowed object size."}
	case "KeyTooLongError":
		return &r2.Error{Op: op, Code: r2.CodeInvalidObjectName, Status: 400, Message: "The specified object name is not valid."}
	}
	return fmt.Errorf("%s %s: %w", gerund(op), what, err)
}

func gerund(op string) string {
	switch op {
	case r2.OpHead:
		return "heading"
	case r2.OpGet:
		return "getting"
	case r2.OpPut:
		return "putting"
	case r2.OpDelete:
		return "deleting"
	case r2.OpList:
		return "listing"
	case r2.OpCreate:
		return "creating multipart upload"
	case r2.OpPart:
		return "uploading part"
	case r2.OpComplete:
		return "completing multipart upload"
	case r2.OpAbort:
		return "aborting multipart upload"
	}
	return op
}

func errInvalidRange(op string) *r2.Error {
	return &r2.Error{Op: op, Code: r2.CodeInvalidRange, Status: 416, Message: "The requested range is not satisfiable"}
}
