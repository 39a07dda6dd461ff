import type { Page } from 'playwright-core';

export class SignInPage {
  constructor(private readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('heading', { name: 'DermaRead' }).waitFor();
  }

  async setUpCoordinator(password: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Coordinator sign-in' });
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByLabel('Repeat password').fill(password);
    await form.getByRole('button', { name: 'Set password and sign in' }).click();
    await this.page.getByRole('heading', { name: 'Studies' }).waitFor();
  }

  async signInCoordinator(password: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Coordinator sign-in' });
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await this.page.getByRole('heading', { name: 'Studies' }).waitFor();
  }

  async signInReader(accessCode: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Reader sign-in' });
    await form.getByLabel('Access code').fill(accessCode);
    await form.getByRole('button', { name: 'Start reading' }).click();
    await this.page.getByRole('heading', { name: 'My studies' }).waitFor();
  }
}
