import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// One file for Vite (the app build Tauri ships from ui/dist) and Vitest (jsdom, mocked IPC).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK / Safari: the webviews Tauri uses on Linux and macOS.
    target: 'safari15',
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
  },
});
