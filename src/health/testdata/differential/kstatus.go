// Command kstatus computes kstatus' status (sigs.k8s.io/cli-utils) for each JSON object on stdin, one
// JSON answer a line, for differential tests of driftless' port (see README.md).
package main

import (
	"bufio"
	"encoding/json"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		// apimachinery's JSON reader keeps integers as int64, as objects read from the API server have them.
		var obj map[string]interface{}
		if err := kjson.Unmarshal(in.Bytes(), &obj); err != nil {
			panic(err)
		}
		answer := map[string]string{}
		res, err := status.Compute(&unstructured.Unstructured{Object: obj})
		if err != nil {
			answer["error"] = err.Error()
		} else {
			answer["status"] = string(res.Status)
			answer["message"] = res.Message
			if len(res.Conditions) > 0 {
				answer["reason"] = res.Conditions[0].Reason
				answer["type"] = string(res.Conditions[0].Type)
			}
		}
		_ = out.Encode(answer)
	}
}
