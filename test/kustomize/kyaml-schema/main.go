// Dumps the Kubernetes OpenAPI document kustomize embeds (kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb)
// as JSON, for src/kustomize/openapi/generate.ts:
//   cd test/kustomize/kyaml-schema && GOFLAGS=-mod=mod go run . \
//     $(go env GOMODCACHE)/sigs.k8s.io/kustomize/kyaml@v0.21.1/openapi/kubernetesapi/v1_21_2/swagger.pb > /tmp/swagger-1.21.2.json

package main

import (
	"encoding/json"
	"fmt"
	"os"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	yaml3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	doc := &openapi_v2.Document{}
	if err := proto.Unmarshal(data, doc); err != nil {
		panic(err)
	}
	node := doc.ToRawInfo()
	y, err := yaml3.Marshal(node)
	if err != nil {
		panic(err)
	}
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		panic(err)
	}
	var v interface{}
	json.Unmarshal(j, &v)
	out, _ := json.Marshal(v)
	fmt.Print(string(out))
}
