/** The registry store's start-up check (SqlAlchemyStore._initialize_store_state, single-tenant). */
import { MlflowError } from '../../errors/mlflow-error.js';
import { WORKSPACE, type RegistryContext } from './context.js';

/** Refuses a registry with models or webhooks outside the default workspace, with MLflow's message. */
export async function checkRegistrySingleTenant(ctx: RegistryContext): Promise<void> {
  const model = await ctx.db
    .selectFrom('registered_models')
    .select(['name', 'workspace'])
    .where('workspace', 'is not', null)
    .where('workspace', '!=', WORKSPACE)
    .limit(1)
    .executeTakeFirst();
  if (model) {
    throw new MlflowError(
      'Cannot disable workspaces because registered models exist outside the default workspace (for example, ' +
        `model '${model.name}' in workspace '${model.workspace}'). Either remove those models or re-enable ` +
        'workspaces before starting.',
      'INVALID_STATE',
    );
  }
  const webhook = await ctx.db
    .selectFrom('webhooks')
    .select(['webhook_id', 'workspace'])
    .where('workspace', 'is not', null)
    .where('workspace', '!=', WORKSPACE)
    .limit(1)
    .executeTakeFirst();
  if (webhook) {
    throw new MlflowError(
      'Cannot disable workspaces because webhooks exist outside the default workspace (for example, webhook ' +
        `'${webhook.webhook_id}' in workspace '${webhook.workspace}'). Either remove those webhooks or re-enable ` +
        'workspaces before starting.',
      'INVALID_STATE',
    );
  }
}
