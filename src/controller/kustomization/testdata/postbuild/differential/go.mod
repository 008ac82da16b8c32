module driftless.test/postbuild-differential

go 1.24

require (
	github.com/fluxcd/pkg/envsubst v1.9.0
	sigs.k8s.io/yaml v1.6.0
)

// envsubst v1.9.0 requires Go 1.27; to build with an older Go, point it at a checkout:
// replace github.com/fluxcd/pkg/envsubst => /path/to/fluxcd/pkg/envsubst
