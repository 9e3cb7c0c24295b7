//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// testIAMConsole creates a user with ReadOnlyAccess over REST, signs in as
// that user in Chromium, opens an API and presses Deploy: the deploy
// dialog says, where the user pressed, that apigw:CreateDeployment is not
// allowed, and no deployment is made.
func testIAMConsole(t *testing.T, p *platform, apiID string) {
	admin := newClient(p.apiURL, p.token)
	email := "reader-" + randomID(6) + "@example.com"
	const password = "reader-password-1"
	admin.mustDo(t, 201, "POST", "/v1/iam/users", map[string]any{
		"email": email, "name": "Reader", "password": password, "policies": []string{"ReadOnlyAccess"},
	}, nil)
	var before struct {
		Items []deploymentObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", "/v1/apis/"+apiID+"/deployments", nil, &before)

	ctx := newBrowser(t)
	step(t, ctx, "log in as the read-only user",
		chromedp.Navigate(p.apiURL+"/login"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), email),
		chromedp.SendKeys(tid("login-password"), password),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-apis")),
	)
	step(t, ctx, "open the API and press Deploy",
		chromedp.Navigate(p.apiURL+"/apis/"+apiID),
		chromedp.WaitVisible(tid("deploy-button")),
		// The button is enabled once the stages have loaded.
		chromedp.WaitEnabled(tid("deploy-button")),
		chromedp.Click(tid("deploy-button")),
		chromedp.WaitVisible(tid("deploy-submit")),
		chromedp.Click(tid("deploy-submit")),
	)
	refusal := chromedp.Poll[string](`(() => {
		const a = document.querySelector('[data-testid="deploy-dialog"] [role="alert"]');
		return a && a.textContent.includes('not allowed') ? a.textContent : null;
	})()`, chromedp.WithPollingTimeout(20*time.Second))
	var msg string
	step(t, ctx, "see the refusal in the deploy dialog", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var err error
		msg, err = refusal(ctx, tg)
		return err
	}))
	require.Contains(t, msg, "You are not allowed to perform apigw:CreateDeployment on trn:turnpike:")
	require.Contains(t, msg, "apis/"+apiID+"/stages/")
	require.NotEmpty(t, shot(t, ctx, "iam-readonly-deploy-refused"))

	var after struct {
		Items []deploymentObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", "/v1/apis/"+apiID+"/deployments", nil, &after)
	require.Len(t, after.Items, len(before.Items), "no deployment was made")

	// The administrator sees the user and can ask the simulator why.
	var sim struct {
		Decision string `json:"decision"`
	}
	var users struct {
		Items []struct {
			UserID string `json:"userId"`
			Email  string `json:"email"`
		} `json:"items"`
	}
	admin.mustDo(t, 200, "GET", "/v1/iam/users", nil, &users)
	userID := ""
	for _, u := range users.Items {
		if u.Email == email {
			userID = u.UserID
		}
	}
	require.NotEmpty(t, userID, fmt.Sprintf("user %s listed", email))
	admin.mustDo(t, 200, "POST", "/v1/iam/simulate", map[string]any{
		"principal": map[string]string{"userId": userID}, "action": "apigw:CreateDeployment",
		"resource": "apis/" + apiID + "/stages/prod",
	}, &sim)
	require.Equal(t, "implicitDeny", sim.Decision)
	require.False(t, strings.Contains(msg, "Internal"), msg)
}
