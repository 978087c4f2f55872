/**
 * Assessment RPCs of MlflowService served natively: GetAssessment and deleteAssessment
 * (handlers._get_assessment, _delete_assessment; both read only their path parameters).
 * Creating and updating assessments still goes to the Python server.
 */
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { assessmentMessage } from './trace-info-message.js';

export const assessmentHandlers = {
  async GetAssessment(req, { stores }) {
    const row = await stores.tracking.getAssessment(req.trace_id ?? '', req.assessment_id ?? '');
    return { assessment: assessmentMessage(row) };
  },

  async deleteAssessment(req, { stores }) {
    await stores.tracking.deleteAssessment(req.trace_id ?? '', req.assessment_id ?? '');
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
