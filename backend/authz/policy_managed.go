package authz

import "slices"

// ManagedPolicy is a policy shipped with Turnpike: the same in every
// tenant, attachable, never editable. Its id is its name.
type ManagedPolicy struct {
	Name        string
	Description string
	Document    *Document
}

// Managed policy names.
const (
	PolicyAdministratorAccess = "AdministratorAccess"
	PolicyReadOnlyAccess      = "ReadOnlyAccess"
	PolicyDeveloperAccess     = "DeveloperAccess"
	PolicyBillingReadOnly     = "BillingReadOnly"
)

// ManagedPolicies are the shipped policies, in display order.
var ManagedPolicies = []ManagedPolicy{
	{Name: PolicyAdministratorAccess, Description: "Every action on every resource of the tenant.",
		Document: MustParseDocument(`{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`)},
	{Name: PolicyReadOnlyAccess, Description: "Read everything (Get* and List*), IAM included; change nothing.",
		Document: MustParseDocument(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow",
			"Action":["apigw:Get*","apigw:List*","iam:Get*","iam:List*","billing:Get*","billing:List*"],"Resource":"*"}]}`)},
	{Name: PolicyDeveloperAccess, Description: "Everything except IAM and the prod stages.",
		Document: MustParseDocument(`{"Version":"2012-10-17","Statement":[
			{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
			{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"},
			{"Sid":"NoProd","Effect":"Deny","Action":"*","Resource":"trn:turnpike:*:apis/*/stages/prod*"}]}`)},
	{Name: PolicyBillingReadOnly, Description: "Read billing and usage.",
		Document: MustParseDocument(`{"Version":"2012-10-17","Statement":[{"Sid":"Billing","Effect":"Allow",
			"Action":["billing:Get*","billing:List*","apigw:GetUsage*"],"Resource":"*"}]}`)},
}

// Managed returns the managed policy of that name.
func Managed(name string) (ManagedPolicy, bool) {
	i := slices.IndexFunc(ManagedPolicies, func(p ManagedPolicy) bool { return p.Name == name })
	if i < 0 {
		return ManagedPolicy{}, false
	}
	return ManagedPolicies[i], true
}

// IsManaged reports whether id names a managed policy.
func IsManaged(id string) bool {
	_, ok := Managed(id)
	return ok
}

// Built-in roles: every tenant has them; their policies cannot change.
const (
	RoleTenantAdmin = "TenantAdmin"
	RoleReadOnly    = "ReadOnly"
)

// BuiltinRoles maps each built-in role to its managed policies. A user's
// roles (the user_roles rows) are resolved through this table first and
// then through the tenant's own roles.
var BuiltinRoles = map[string][]string{
	RoleTenantAdmin: {PolicyAdministratorAccess},
	RoleReadOnly:    {PolicyReadOnlyAccess},
}

// AsPolicy is the managed policy as a Policy of a set.
func (m ManagedPolicy) AsPolicy() Policy {
	return Policy{ID: m.Name, Name: m.Name, Document: m.Document}
}
