import { WorkflowsStorage } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { domainSetup, type DomainContext } from '../context';
import { WORKFLOW_TABLES } from './schema';

const pending = (method: string): never => {
  throw new Error(`WorkflowsStorageD1.${method} is not implemented yet`);
};

/** Workflow run snapshots, stored in D1. */
export class WorkflowsStorageD1 extends WorkflowsStorage {
  /** The tables this domain creates. */
  static readonly tables = WORKFLOW_TABLES;
  readonly #ctx: DomainContext;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, WORKFLOW_TABLES);
  }

  override init(): Promise<void> {
    return this.#ctx.init();
  }

  supportsConcurrentUpdates(): boolean {
    return false;
  }
  async dangerouslyClearAll(): Promise<never> {
    return pending('dangerouslyClearAll');
  }
  async updateWorkflowResults(): Promise<never> {
    return pending('updateWorkflowResults');
  }
  async updateWorkflowState(): Promise<never> {
    return pending('updateWorkflowState');
  }
  async persistWorkflowSnapshot(): Promise<never> {
    return pending('persistWorkflowSnapshot');
  }
  async loadWorkflowSnapshot(): Promise<never> {
    return pending('loadWorkflowSnapshot');
  }
  async listWorkflowRuns(): Promise<never> {
    return pending('listWorkflowRuns');
  }
  async getWorkflowRunById(): Promise<never> {
    return pending('getWorkflowRunById');
  }
  async deleteWorkflowRunById(): Promise<never> {
    return pending('deleteWorkflowRunById');
  }
}
