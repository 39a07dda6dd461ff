import type { Page } from 'playwright-core';

export interface NewStudy {
  name: string;
  cases: number;
  sampleSeed: number;
  diagnosis: boolean;
  marking: boolean;
  newReaders: string[];
}

export class CoordinatorPages {
  constructor(private readonly page: Page) {}

  /** Fills the new-study form, adding readers on the way; returns each new reader's access code. */
  async createStudy(study: NewStudy): Promise<{ studyId: number; accessCodes: Record<string, string> }> {
    await this.page.getByRole('button', { name: 'New study' }).click();
    const form = this.page.getByRole('form', { name: 'New study' });
    await form.getByLabel('Name', { exact: true }).fill(study.name);
    await form.getByLabel('Stratified random sample').check();
    await form.getByLabel('Number of cases').fill(String(study.cases));
    await form.getByLabel('Sample seed').fill(String(study.sampleSeed));
    await form.locator('input[name=taskDiagnosis]').setChecked(study.diagnosis);
    await form.locator('input[name=taskMarking]').setChecked(study.marking);
    const accessCodes: Record<string, string> = {};
    for (const name of study.newReaders) {
      await form.getByLabel('Add a new reader').fill(name);
      await form.getByRole('button', { name: 'Add reader' }).click();
      const code = this.page.locator(`[data-testid=access-code][data-reader="${name}"]`);
      await code.waitFor();
      accessCodes[name] = (await code.textContent())!.trim();
    }
    await form.getByRole('button', { name: 'Create study' }).click();
    await this.page.waitForURL(/#\/studies\/\d+$/);
    const studyId = Number(/studies\/(\d+)$/.exec(this.page.url())![1]);
    await this.page.getByRole('heading', { name: study.name }).waitFor();
    return { studyId, accessCodes };
  }

  async openStudy(studyId: number): Promise<void> {
    await this.page.goto(this.page.url().replace(/#.*$/, `#/studies/${studyId}`));
    await this.page.reload();
    await this.page.getByTestId('reader-progress').waitFor();
  }

  /** Opens the study's settings form, applies the changes, saves; returns the Design card's text. */
  async editSettings(change: { instructions?: string; timeLimitS?: number }): Promise<string> {
    await this.page.getByRole('button', { name: 'Edit settings' }).click();
    const form = this.page.getByRole('form', { name: 'Edit study' });
    if (change.instructions !== undefined)
      await form.getByLabel('Instructions for readers').fill(change.instructions);
    if (change.timeLimitS !== undefined)
      await form.getByLabel('Time limit per case').fill(String(change.timeLimitS));
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.waitFor({ state: 'detached' });
    return (await this.page.locator('dl.facts').textContent())!;
  }

  /** Whether the settings form says the reading conditions are fixed (then cancels it). */
  async settingsLocked(): Promise<boolean> {
    await this.page.getByRole('button', { name: 'Edit settings' }).click();
    const form = this.page.getByRole('form', { name: 'Edit study' });
    const locked = await form.getByTestId('settings-locked').isVisible();
    await form.getByRole('button', { name: 'Cancel' }).click();
    return locked;
  }

  /** Withdraws a reader from the open study page, answering the browser's prompt with `reason`. */
  async withdraw(readerName: string, reason: string): Promise<void> {
    this.page.once('dialog', (dialog) => void dialog.accept(reason));
    const row = this.page.locator(`tr[data-reader="${readerName}"]`);
    await row.getByRole('button', { name: 'Withdraw' }).click();
    await this.page.locator(`tr.withdrawn[data-reader="${readerName}"]`).waitFor();
  }

  /** The progress label of a reader on the open study page, e.g. "5 / 5 ✓". */
  async progressOf(readerName: string): Promise<string> {
    const row = this.page.locator(`tr[data-reader="${readerName}"]`);
    return (await row.getByRole('progressbar').getAttribute('aria-label'))!;
  }
}
