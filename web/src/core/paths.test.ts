import { describe, expect, it } from "vitest";
import { filePathUrl, isSafeFilePath } from "./paths";

describe("run file paths", () => {
  it("encodes each part of a path inside the run's files", () => {
    expect(filePathUrl("media/images/a b#1.png")).toBe("media/images/a%20b%231.png");
    expect(filePathUrl("media/html/page_5_ab12.html")).toBe("media/html/page_5_ab12.html");
    expect(isSafeFilePath("notes..txt")).toBe(true);
  });

  it("refuses paths that would leave the run's files once the browser resolves them", () => {
    for (const bad of [
      "../../../projects",
      "media/../../x",
      "./x",
      "a//b",
      "/api/v1/projects",
      "//evil.example/x",
      "https://evil.example/x",
      "javascript:alert(1)",
      "C:/x",
      "a\\..\\b",
      "a\u0000b",
      "",
      "x".repeat(1025),
    ]) {
      expect(isSafeFilePath(bad), bad).toBe(false);
      expect(() => filePathUrl(bad)).toThrow(/refusing/);
    }
  });
});
