// Command flux runs Flux's own postBuild pipeline on JSON lines from stdin, for differential tests of
// driftless' port (see README.md). Each line is {"text": …} (expand only) or {"obj": …} (the whole
// pipeline: JSON re-encoded by encoding/json as kustomize does, JSONToYAML, envsubst, YAMLToJSON), with
// "vars" and "strict". Each answer is {"out": base64 bytes | object, "yaml": text} or {"err": message}.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/fluxcd/pkg/envsubst"
	"sigs.k8s.io/yaml"
)

type request struct {
	Text   *string           `json:"text"`
	Obj    json.RawMessage   `json:"obj"`
	Vars   map[string]string `json:"vars"`
	Strict bool              `json:"strict"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			panic(err)
		}
		lookup := func(name string) (string, bool) {
			v, ok := r.Vars[name]
			return v, ok || !r.Strict
		}
		eval := func(text string) (result string, err error) {
			// Some inputs make envsubst panic; report them as errors.
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return envsubst.Eval(text, lookup)
		}
		if r.Text != nil {
			result, err := eval(*r.Text)
			if err != nil {
				_ = out.Encode(map[string]string{"err": err.Error()})
			} else {
				_ = out.Encode(map[string]string{"out": base64.StdEncoding.EncodeToString([]byte(result))})
			}
			continue
		}
		var generic interface{}
		if err := json.Unmarshal(r.Obj, &generic); err != nil {
			panic(err)
		}
		reencoded, _ := json.Marshal(generic)
		text, err := yaml.JSONToYAML(reencoded)
		if err != nil {
			panic(err)
		}
		substituted, err := eval(string(text))
		if err != nil {
			_ = out.Encode(map[string]any{"err": err.Error(), "yaml": string(text)})
			continue
		}
		converted, err := yaml.YAMLToJSON([]byte(substituted))
		if err != nil {
			_ = out.Encode(map[string]any{"err": "YAMLToJSON: " + err.Error(), "yaml": string(text)})
			continue
		}
		_ = out.Encode(map[string]any{"out": json.RawMessage(converted), "yaml": string(text)})
	}
}
