// A REST API's request validators and models: lists, create, delete. A
// delete the API refuses (409: a method still uses it) is shown in the
// confirmation; a model whose schema does not compile (422) in the form.
import { useState } from 'react';
import { Badge, Button, ConfirmDialog, ErrorBanner, Field, FormModal, useToast } from '../../components/ui';
import { useForm } from '../../lib/form';
import type { Resource } from '../../lib/hooks';
import type { Model, RequestValidator, RestApi } from './api';

export function ValidatorsAndModels({
  apiId,
  rest,
  validators,
  models,
}: {
  apiId: string;
  rest: RestApi;
  validators: Resource<RequestValidator[]>;
  models: Resource<Model[]>;
}) {
  const toast = useToast();
  const [addingValidator, setAddingValidator] = useState(false);
  const [addingModel, setAddingModel] = useState(false);
  const [deletingValidator, setDeletingValidator] = useState<RequestValidator | null>(null);
  const [deletingModel, setDeletingModel] = useState<Model | null>(null);

  return (
    <>
      <div className="section-header" style={{ marginTop: 24 }}>
        <h3>Request validators</h3>
        <Button icon="plus" onClick={() => setAddingValidator(true)} data-testid="add-validator">
          Add validator
        </Button>
      </div>
      <ErrorBanner error={validators.error} onRetry={validators.reload} title="Could not load validators" />
      <div className="card">
        {validators.data?.length ? (
          <table className="table">
            <tbody>
              {validators.data.map((v) => (
                <tr key={v.id} data-testid={`validator-${v.name}`}>
                  <td>{v.name}</td>
                  <td>{v.validateRequestBody ? <Badge tone="blue">Body</Badge> : null}</td>
                  <td>{v.validateRequestParameters ? <Badge tone="blue">Parameters</Badge> : null}</td>
                  <td className="mono muted">{v.id}</td>
                  <td className="row-actions">
                    <Button
                      size="sm"
                      variant="ghost"
                      icon="trash"
                      aria-label={`Delete validator ${v.name}`}
                      onClick={() => setDeletingValidator(v)}
                      data-testid={`delete-validator-${v.name}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted" style={{ padding: 12 }}>
            {validators.loading
              ? 'Loading…'
              : 'No validators. A validator checks required parameters and the JSON body.'}
          </p>
        )}
      </div>

      <div className="section-header" style={{ marginTop: 24 }}>
        <h3>Models</h3>
        <Button icon="plus" onClick={() => setAddingModel(true)} data-testid="add-model">
          Add model
        </Button>
      </div>
      <ErrorBanner error={models.error} onRetry={models.reload} title="Could not load models" />
      <div className="card">
        {models.data?.length ? (
          <table className="table">
            <tbody>
              {models.data.map((m) => (
                <tr key={m.id} data-testid={`model-${m.name}`}>
                  <td>{m.name}</td>
                  <td className="mono">{m.contentType}</td>
                  <td className="mono muted" style={{ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis' }}>
                    {JSON.stringify(m.schema)}
                  </td>
                  <td className="row-actions">
                    <Button
                      size="sm"
                      variant="ghost"
                      icon="trash"
                      aria-label={`Delete model ${m.name}`}
                      onClick={() => setDeletingModel(m)}
                      data-testid={`delete-model-${m.name}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted" style={{ padding: 12 }}>
            {models.loading
              ? 'Loading…'
              : 'No models. A model is a JSON Schema (draft-04) a validator checks bodies against.'}
          </p>
        )}
      </div>

      {addingValidator ? (
        <ValidatorDialog
          onClose={() => setAddingValidator(false)}
          onSubmit={async (v) => {
            await rest.createValidator(apiId, v);
            toast(`Validator "${v.name}" added`);
            setAddingValidator(false);
            void validators.reload();
          }}
        />
      ) : null}
      {addingModel ? (
        <ModelDialog
          onClose={() => setAddingModel(false)}
          onSubmit={async (name, schema) => {
            await rest.createModel(apiId, { name, contentType: 'application/json', schema });
            toast(`Model "${name}" added`);
            setAddingModel(false);
            void models.reload();
          }}
        />
      ) : null}
      {deletingValidator ? (
        <ConfirmDialog
          title="Delete request validator"
          confirmLabel="Delete validator"
          onClose={() => setDeletingValidator(null)}
          onConfirm={async () => {
            await rest.deleteValidator(apiId, deletingValidator.id);
            toast(`Validator "${deletingValidator.name}" deleted`);
            void validators.reload();
          }}
        >
          Delete validator <strong>{deletingValidator.name}</strong>? A validator a method uses cannot be deleted.
        </ConfirmDialog>
      ) : null}
      {deletingModel ? (
        <ConfirmDialog
          title="Delete model"
          confirmLabel="Delete model"
          onClose={() => setDeletingModel(null)}
          onConfirm={async () => {
            await rest.deleteModel(apiId, deletingModel.name);
            toast(`Model "${deletingModel.name}" deleted`);
            void models.reload();
          }}
        >
          Delete model <strong>{deletingModel.name}</strong>? A model a method or method response uses cannot be
          deleted.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function ValidatorDialog({
  onClose,
  onSubmit,
}: {
  onClose: () => void;
  onSubmit: (v: { name: string; validateRequestBody: boolean; validateRequestParameters: boolean }) => Promise<void>;
}) {
  const form = useForm({ name: '', body: true, params: true }, (v) => ({
    name: v.name.trim() ? null : 'Enter a name',
  }));
  return (
    <FormModal
      title="Add request validator"
      form={form}
      onClose={onClose}
      onSubmit={() =>
        void form.submit((v) =>
          onSubmit({ name: v.name.trim(), validateRequestBody: v.body, validateRequestParameters: v.params }),
        )
      }
      submitLabel="Add validator"
      submitTestId="validator-submit"
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="validator-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="validator-body"
          checked={form.values.body}
          onChange={(e) => form.set('body', e.target.checked)}
        />{' '}
        Validate the body against the method&apos;s model
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="validator-params"
          checked={form.values.params}
          onChange={(e) => form.set('params', e.target.checked)}
        />{' '}
        Validate required parameters
      </label>
    </FormModal>
  );
}

function ModelDialog({
  onClose,
  onSubmit,
}: {
  onClose: () => void;
  onSubmit: (name: string, schema: unknown) => Promise<void>;
}) {
  const form = useForm(
    {
      name: '',
      schema: '{\n  "type": "object",\n  "required": ["name"],\n  "properties": {"name": {"type": "string"}}\n}',
    },
    (v) => {
      let schemaErr: string | null = null;
      try {
        JSON.parse(v.schema);
      } catch {
        schemaErr = 'Not valid JSON';
      }
      return { name: /^[A-Za-z0-9]{1,128}$/.test(v.name) ? null : 'Letters and digits only', schema: schemaErr };
    },
  );
  return (
    <FormModal
      title="Add model"
      form={form}
      onClose={onClose}
      onSubmit={() => void form.submit((v) => onSubmit(v.name, JSON.parse(v.schema)))}
      submitLabel="Add model"
      submitTestId="model-submit"
      width={600}
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="model-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="JSON Schema (draft-04)" error={form.error('schema')}>
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={8}
            data-testid="model-schema"
            value={form.values.schema}
            onChange={(e) => form.set('schema', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}
