package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// gatewayVariables are what gateway/cmd/gateway reads.
var gatewayVariables = []string{"REDIS_URL", "GATEWAY_ADDR", "TURNPIKE_BASE_DOMAIN", "TURNPIKE_REDIS_PREFIX",
	"GATEWAY_ID", "LOG_LEVEL", "LOG_FORMAT", "GATEWAY_ACCESS_LOG", "GATEWAY_PRIVATE_ADDR"}

// backendVariables are what Parse reads (plus the dev server binary).
func backendVariables(t *testing.T) []string {
	var seen []string
	_, err := Parse(func(k string) string {
		if !slices.Contains(seen, k) {
			seen = append(seen, k)
		}
		return ""
	})
	require.NoError(t, err)
	return append(seen, "TURNPIKE_TEMPORAL_DEV_BIN")
}

// TestDeployFilesUseKnownSettings keeps docker-compose.yml and the
// Kubernetes manifests true to the binaries: every environment variable
// they set is one the process reads, and every command is one it has.
func TestDeployFilesUseKnownSettings(t *testing.T) {
	backendVars := backendVariables(t)
	root := filepath.Join("..", "..")

	var compose struct {
		Services map[string]struct {
			Image       string         `yaml:"image"`
			Build       map[string]any `yaml:"build"`
			Command     []string       `yaml:"command"`
			Environment map[string]any `yaml:"environment"`
		} `yaml:"services"`
	}
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &compose))
	var backends, gateways int
	for name, svc := range compose.Services {
		switch {
		case strings.HasPrefix(svc.Image, "turnpike/turnpike"):
			backends++
			require.NotEmpty(t, svc.Command, name)
			assert.Contains(t, []string{"serve", "worker", "migrate"}, svc.Command[0], name)
			for k := range svc.Environment {
				assert.Contains(t, backendVars, k, "%s sets %s, which turnpike does not read", name, k)
			}
		case strings.HasPrefix(svc.Image, "turnpike/gateway"):
			gateways++
			for k := range svc.Environment {
				assert.Contains(t, gatewayVariables, k, "%s sets %s, which the gateway does not read", name, k)
			}
		}
	}
	assert.Equal(t, 3, backends, "migrate, backend and worker")
	assert.Equal(t, 2, gateways, "two gateways, as e2e runs")
	for _, svc := range []string{"postgres", "redis", "temporal"} {
		assert.Contains(t, compose.Services, svc)
	}

	manifests, err := filepath.Glob(filepath.Join(root, "deploy", "k8s", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests)
	for _, path := range manifests {
		f, err := os.Open(path)
		require.NoError(t, err)
		dec := yaml.NewDecoder(f)
		for {
			var doc struct {
				Kind string `yaml:"kind"`
				Data map[string]string
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Image string   `yaml:"image"`
								Args  []string `yaml:"args"`
								Env   []struct {
									Name string `yaml:"name"`
								} `yaml:"env"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := dec.Decode(&doc); err != nil {
				break
			}
			if doc.Kind == "ConfigMap" {
				for k := range doc.Data {
					assert.Contains(t, backendVars, k, "%s: ConfigMap key %s", filepath.Base(path), k)
				}
			}
			for _, c := range doc.Spec.Template.Spec.Containers {
				known := backendVars
				if strings.HasPrefix(c.Image, "turnpike/gateway") {
					known = gatewayVariables
				} else if len(c.Args) > 0 {
					assert.Contains(t, []string{"serve", "worker", "migrate"}, c.Args[0], filepath.Base(path))
				}
				for _, e := range c.Env {
					assert.Contains(t, known, e.Name, "%s: %s", filepath.Base(path), e.Name)
				}
			}
		}
		_ = f.Close()
	}
}
