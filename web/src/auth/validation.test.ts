import { describe, expect, it } from "vitest";
import { passwordStrength, validateEmail, validateMemoryMb, validateName, validateNewPassword } from "./validation";

describe("validateEmail", () => {
  it.each(["me@example.com", "o'brien+%_x@example.com", "Alice@Example.COM", "a.b@sub.example.org"])("accepts %s", (e) => {
    expect(validateEmail(e)).toBeNull();
  });
  it.each([
    ["", "Enter your email"],
    ["me", "like name@example.com"],
    ["me@", "like name@example.com"],
    ["@example.com", "like name@example.com"],
    ["me@localhost", "domain like example.com"],
    ["me@example.123", "domain like example.com"],
    ["a..b@example.com", "before @"],
    [".a@example.com", "before @"],
    ["a b@example.com", "before @"],
    ['"q"@example.com', "before @"],
    ["me@[127.0.0.1]", "domain like"],
    [`${"a".repeat(65)}@example.com`, "before @"],
  ])("refuses %j", (e, msg) => {
    expect(validateEmail(e)).toContain(msg);
  });
});

describe("validateNewPassword (auth-service's rule)", () => {
  it("needs 10 characters", () => {
    expect(validateNewPassword("Ab1!", "")).toContain("at least 10 characters");
    expect(validateNewPassword("ééééééééé", "")).toContain("at least 10"); // code points, not bytes
  });
  it("needs two kinds of characters below 16", () => {
    expect(validateNewPassword("abcdefghijkl", "")).toContain("Mix two kinds");
    expect(validateNewPassword("abcdefghijk1", "")).toBeNull();
    expect(validateNewPassword("abcdefghijklmnop", "")).toBeNull(); // 16 letters are enough
  });
  it("refuses one repeated character", () => {
    expect(validateNewPassword("aaaaaaaaaaaaaaaaaa", "")).toContain("repeat");
  });
  it("refuses the email or its name part", () => {
    expect(validateNewPassword("xxalice-2024yy", "alice@example.com")).toContain("email");
    expect(validateNewPassword("correct-Horse-battery-9", "alice@example.com")).toBeNull();
    expect(validateNewPassword("jo-1234567890", "jo@example.com")).toBeNull(); // short local parts do not count
  });
  it("grades strength for the meter", () => {
    expect(passwordStrength("")).toBe(0);
    expect(passwordStrength("correct-Horse-battery-9")).toBe(4);
  });
});

describe("validateName and validateMemoryMb", () => {
  it("follows openapi's Name", () => {
    expect(validateName("cache 1.prod_x-y")).toBeNull();
    expect(validateName("")).toContain("Enter");
    expect(validateName(" lead")).toContain("space");
    expect(validateName("a/b")).toContain("letters");
    expect(validateName("x".repeat(65))).toContain("64");
  });
  it("wants a whole number within the quota", () => {
    expect(validateMemoryMb("64", 1024)).toBeNull();
    expect(validateMemoryMb("8.5", null)).toContain("whole number");
    expect(validateMemoryMb("0", null)).toContain("At least 1");
    expect(validateMemoryMb("70000", null)).toContain("65536");
    expect(validateMemoryMb("512", 100)).toContain("100 MB");
  });
});
