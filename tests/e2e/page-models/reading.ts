import type { Page } from 'playwright-core';

export class ReadingView {
  constructor(private readonly page: Page) {}

  async openStudy(name: string): Promise<void> {
    const card = this.page.locator('.study-card', { hasText: name });
    await card.getByRole('button').click();
    await this.page.getByTestId('case-counter').waitFor();
  }

  /** 1-based case number shown to the reader. */
  async caseNumber(): Promise<number> {
    const text = (await this.page.getByTestId('case-counter').textContent())!;
    return Number(/Case (\d+) of/.exec(text)![1]);
  }

  async imageShown(): Promise<void> {
    await this.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.viewer img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
  }

  async chooseDiagnosis(code: string): Promise<void> {
    await this.page.locator(`.category[data-code="${code}"]`).click();
  }

  async chooseDiagnosisByKey(key: string): Promise<void> {
    await this.page.locator('.viewer-frame').hover();
    await this.page.keyboard.press(key);
  }

  async setConfidence(value: number): Promise<void> {
    await this.page.getByLabel('Confidence (0-100)').fill(String(value));
  }

  /** A mouse drag between two points given as fractions of the image frame: draws, moves or resizes a box. */
  async drag(from: [number, number], to: [number, number]): Promise<void> {
    const frame = this.page.getByTestId('image-frame');
    const box = (await frame.boundingBox())!;
    const at = ([fx, fy]: [number, number]) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await this.page.mouse.move(...at(from));
    await this.page.mouse.down();
    for (let step = 1; step <= 8; step++) {
      const f: [number, number] = [
        from[0] + ((to[0] - from[0]) * step) / 8,
        from[1] + ((to[1] - from[1]) * step) / 8,
      ];
      await this.page.mouse.move(...at(f));
    }
    await this.page.mouse.up();
  }

  async drawBox(from: [number, number], to: [number, number]): Promise<void> {
    await this.drag(from, to);
  }

  /** Sizes (width x height, image pixels) of the marked boxes as the lesion list shows them. */
  async boxSizes(): Promise<string[]> {
    return (await this.page.locator('.box-list .box-size').allTextContents()).map((s) =>
      s.replace(' px', ''),
    );
  }

  /** The zoom level the toolbar shows, in percent. */
  async zoom(): Promise<number> {
    return Number((await this.page.locator('.zoom-level').textContent())!.replace(/[^0-9]/g, ''));
  }

  async wheel(deltaY: number): Promise<void> {
    const box = (await this.page.getByTestId('image-frame').boundingBox())!;
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.wheel(0, deltaY);
  }

  async fit(): Promise<void> {
    await this.page.getByRole('button', { name: 'Fit' }).click();
  }

  async previous(): Promise<void> {
    const before = await this.caseNumber();
    await this.page.getByRole('button', { name: '← Previous' }).click();
    await this.page.waitForFunction(
      (n) => document.querySelector('[data-testid=case-counter]')?.textContent?.includes(`Case ${n - 1} of`),
      before,
    );
  }

  async next(): Promise<void> {
    const before = await this.caseNumber();
    await this.page.getByRole('button', { name: 'Next →' }).click();
    await this.page.waitForFunction(
      (n) => document.querySelector('[data-testid=case-counter]')?.textContent?.includes(`Case ${n + 1} of`),
      before,
    );
  }

  async isReadOnly(): Promise<boolean> {
    return (await this.page.getByText('This answer is committed and can no longer be changed.').count()) > 0;
  }

  async boxCount(): Promise<number> {
    return this.page.getByTestId('reader-box').count();
  }

  async waitSaved(): Promise<void> {
    await this.page.getByTestId('saved').waitFor();
  }

  /** Commits the current case and waits for the next one (or the end) to be on screen. */
  async commitAndWaitNext(): Promise<void> {
    const before = await this.caseNumber();
    await this.page.getByRole('button', { name: /^Commit and/ }).click();
    await this.page.waitForFunction((n) => {
      const counter = document.querySelector('[data-testid=case-counter]')?.textContent ?? '';
      return !counter.includes(`Case ${n} of`) || document.querySelector('.done-panel') !== null;
    }, before);
  }

  async finished(): Promise<boolean> {
    return (await this.page.locator('.done-panel').count()) > 0;
  }

  /** Milliseconds from the last commit (or navigation) to the new case's image being on screen. */
  async nextCaseMs(): Promise<number> {
    const handle = await this.page.waitForFunction(
      () => document.querySelector('.reading')?.getAttribute('data-next-case-ms') || null,
    );
    return Number(await handle.jsonValue());
  }
}
