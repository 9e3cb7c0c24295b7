package apis

import "context"

// DeleteHook is told, inside the delete's transaction, that an API
// (stageName "") or one of its stages was deleted, so that rows naming it
// elsewhere (usage plans' API stages) go in the same transaction. An error
// rolls the delete back.
type DeleteHook func(ctx context.Context, tenantID, apiID, stageName string) error
