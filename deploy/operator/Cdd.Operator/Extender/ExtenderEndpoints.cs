using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cdd.Operator.Extender;

/// <summary>
/// POST /filter and POST /prioritize, as kube-scheduler's extender config names them (filterVerb, prioritizeVerb).
/// Each call takes the source's current snapshot and judges the pod against it.
/// </summary>
internal static class ExtenderEndpoints
{
    public static void Map(WebApplication app, IPlacementSource source)
    {
        app.MapPost("/filter", async (HttpContext ctx) =>
        {
            if (await Read(ctx) is not { } args) return;
            // Filter problems travel in the Error field: kube-scheduler reads it and reports it on the pod. An unreadable
            // inventory is one of them: the pod waits rather than being placed on a guess.
            ExtenderFilterResult result;
            try
            {
                result = new SchedulerExtender(await source.CurrentAsync(ctx.RequestAborted)).Filter(args);
            }
            catch (InventoryUnavailableException ex)
            {
                result = new ExtenderFilterResult { Error = $"cdd-operator inventory unavailable: {ex.Message}" };
            }
            await ctx.Response.WriteAsJsonAsync(result);
        });
        app.MapPost("/prioritize", async (HttpContext ctx) =>
        {
            if (await Read(ctx) is not { } args) return;
            try
            {
                await ctx.Response.WriteAsJsonAsync(new SchedulerExtender(await source.CurrentAsync(ctx.RequestAborted)).Prioritize(args));
            }
            catch (ExtenderRequestException ex)
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsync(ex.Message);
            }
            catch (InventoryUnavailableException ex)
            {
                // kube-scheduler drops a failed extender's scores and ranks with the other plugins alone.
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await ctx.Response.WriteAsync($"cdd-operator inventory unavailable: {ex.Message}");
            }
        });
        app.MapGet("/healthz", () => "ok");
    }

    private static async Task<ExtenderArgs?> Read(HttpContext ctx)
    {
        try
        {
            var args = await JsonSerializer.DeserializeAsync<ExtenderArgs>(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            if (args is not null) return args;
        }
        catch (JsonException ex)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsync($"not ExtenderArgs JSON: {ex.Message}");
            return null;
        }
        ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
        await ctx.Response.WriteAsync("empty body: ExtenderArgs expected");
        return null;
    }
}
