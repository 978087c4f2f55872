/**
 * Whether the AI gateway has an endpoint (the assistant's gateway provider is available then:
 * MlflowGatewayProvider.is_available lists them). mlflow-ts serves no gateway RPC itself.
 */
import type { StoreContext } from './context.js';

export async function hasGatewayEndpoints(ctx: StoreContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('endpoints').select('endpoint_id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export const gatewayEndpointOperations = { hasGatewayEndpoints };
