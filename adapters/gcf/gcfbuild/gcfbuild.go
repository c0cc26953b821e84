// Package gcfbuild is what `ferry build --target gcf` needs to know about the
// Cloud Functions adapter without linking it: the adapter pulls in
// functions-framework-go and the CloudEvents SDK, whose package init (JSON
// reflection tables) every ferry start, the Lambda bootstrap's included,
// would otherwise pay for.
package gcfbuild

import (
	"fmt"
	"strings"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
)

// EventsSuffix is appended to the entry point name to name the event
// function (CloudEvents: Pub/Sub, Eventarc, Cloud Scheduler).
const EventsSuffix = "Events"

// CheckBuild reports what would make the adapter's RegisterBuild fail for m
// regardless of the environment (ferry build checks it).
func CheckBuild(m *manifest.Manifest) error { return unsupportedBindings(m) }

// unsupportedBindings lists the bindings of m that have no Google Cloud
// backend yet (all of them today: KV, R2, D1, queue producers, Durable
// Objects, services), as an error naming them, or nil.
func unsupportedBindings(m *manifest.Manifest) error {
	var names []string
	bd := m.Bindings
	for _, b := range bd.KVNamespaces {
		names = append(names, "KV namespace "+b.Binding)
	}
	for _, b := range bd.R2Buckets {
		names = append(names, "R2 bucket "+b.Binding)
	}
	for _, b := range bd.D1Databases {
		names = append(names, "D1 database "+b.Binding)
	}
	for _, b := range bd.QueueProducers {
		names = append(names, "queue producer "+b.Binding)
	}
	for _, b := range bd.DurableObjects {
		names = append(names, "Durable Object "+b.Name)
	}
	for _, b := range bd.Services {
		names = append(names, "service "+b.Binding)
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("these bindings have no Google Cloud Functions backend yet: %s (run the Worker with ferry serve in a container, or on AWS Lambda)", strings.Join(names, ", "))
}
