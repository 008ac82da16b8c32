module dumpschema

go 1.22

require (
	github.com/google/gnostic-models v0.6.9
	google.golang.org/protobuf v1.36.5
	gopkg.in/yaml.v3 v3.0.1
	sigs.k8s.io/yaml v1.5.0
)

require go.yaml.in/yaml/v2 v2.4.2 // indirect
